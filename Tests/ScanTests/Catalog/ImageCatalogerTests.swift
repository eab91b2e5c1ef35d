// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Scan
import Testing

/// The image's filesystem as the runtime sees it: layers applied in order, whiteouts and opaque directories,
/// the distro from os-release, and the dpkg, apk and rpm catalogers on images the tests build.
@Suite("Scan: image cataloging")
struct ImageCatalogerTests {
    typealias F = ScanImageFixtures

    @Test func dpkgStatusKeepsSourcePackagesAndOnlyInstalledOnes() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer([.file("etc/os-release", F.debianOSRelease), .file("var/lib/dpkg/status", F.dpkgStatus)])
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.distro == Distro(id: "debian", versionID: "12", prettyName: "Debian GNU/Linux 12 (bookworm)"))
        #expect(catalog.packages.map(\.name) == ["base-files", "libc6", "libssl3"])
        let libc = try #require(catalog.packages.first { $0.name == "libc6" })
        #expect(libc.version == "2.36-9+deb12u4")
        #expect(libc.sourceName == "glibc" && libc.sourceVersion == nil)
        #expect(libc.ecosystem == "Debian:12")
        #expect(
            libc.purl.description == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc")
        #expect(libc.location == CatalogedPackage.Location(layer: catalog.layers[0], path: "var/lib/dpkg/status"))
        let ssl = try #require(catalog.packages.first { $0.name == "libssl3" })
        #expect(ssl.sourceName == "openssl" && ssl.sourceVersion == "3.0.11-1~deb12u1")
        #expect(ssl.purl.qualifiers["upstream"] == "openssl@3.0.11-1~deb12u1")
        let base = try #require(catalog.packages.first { $0.name == "base-files" })
        #expect(base.sourceName == nil && base.purl.qualifiers["upstream"] == nil)
        #expect(catalog.skips.isEmpty)
    }

    @Test func distrolessStatusDirectory() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer(
                    [
                        .file("etc/os-release", F.debianOSRelease),
                        .file(
                            "var/lib/dpkg/status.d/libc6",
                            "Package: libc6\nVersion: 2.36-9\nArchitecture: arm64\nSource: glibc\n"),
                        .file("var/lib/dpkg/status.d/libc6.md5sums", "d41d8cd98f00b204e9800998ecf8427e  lib/x\n"),
                        .file(
                            "var/lib/dpkg/status.d/tzdata",
                            "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"),
                    ], compression: "zstd")
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["libc6", "tzdata"])
        #expect(
            catalog.packages.map(\.location.path) == ["var/lib/dpkg/status.d/libc6", "var/lib/dpkg/status.d/tzdata"])
        #expect(catalog.skips.isEmpty)
    }

    @Test func apkInstalledDatabase() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer(
                    [.file("etc/os-release", F.alpineOSRelease), .file("lib/apk/db/installed", F.apkInstalled)],
                    compression: "none")
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["busybox", "libcrypto3", "musl"])
        let crypto = try #require(catalog.packages.first { $0.name == "libcrypto3" })
        #expect(crypto.sourceName == "openssl" && crypto.licenses == ["Apache-2.0"])
        #expect(crypto.ecosystem == "Alpine:v3.19")
        #expect(
            crypto.purl.description
                == "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl")
        let musl = try #require(catalog.packages.first { $0.name == "musl" })
        #expect(musl.purl.qualifiers["upstream"] == nil && musl.sourceName == "musl")
    }

    @Test func rpmSQLiteDatabaseWithRealHeaders() throws {
        let layout = try F.makeLayout()
        let rpmdb = try F.rpmdb([
            [
                "name": "openssl-libs", "version": "3.0.7", "release": "25.el9_3", "epoch": 1, "license": "Apache-2.0",
                "sourcerpm": "openssl-3.0.7-25.el9_3.src.rpm", "arch": "x86_64",
            ],
            [
                "name": "bash", "version": "5.1.8", "release": "6.el9_1", "license": "GPLv3+",
                "sourcerpm": "bash-5.1.8-6.el9_1.src.rpm", "arch": "x86_64",
            ],
        ])
        let osRelease = "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n"
        let image = try F.pushImage(
            layout,
            layers: [try F.layer([.file("etc/os-release", osRelease), .data("var/lib/rpm/rpmdb.sqlite", rpmdb)])],
            tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["bash", "openssl-libs"])
        let ssl = try #require(catalog.packages.first { $0.name == "openssl-libs" })
        #expect(ssl.version == "1:3.0.7-25.el9_3")
        #expect(ssl.sourceName == "openssl")
        #expect(ssl.licenses == ["Apache-2.0"])
        #expect(ssl.ecosystem == "Rocky Linux:9")
        #expect(
            ssl.purl.description
                == "pkg:rpm/rocky/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rocky-9.3&epoch=1&upstream=openssl-3.0.7-25.el9_3.src.rpm"
        )
        let bash = try #require(catalog.packages.first { $0.name == "bash" })
        #expect(bash.version == "5.1.8-6.el9_1" && bash.purl.qualifiers["epoch"] == nil)
        #expect(catalog.skips.isEmpty)
    }

    @Test func berkeleyDBAndNDBAreReportedUnsupportedNotEmpty() throws {
        let layout = try F.makeLayout()
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer([
                    .data("var/lib/rpm/Packages", Data(repeating: 0x61, count: 4096)),
                    .data("usr/lib/sysimage/rpm/Packages.db", Data(repeating: 0x62, count: 512)),
                ])
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.isEmpty)
        #expect(catalog.skips.count == 2)
        #expect(
            catalog.skips.contains {
                $0.path == "var/lib/rpm/Packages" && $0.reason.contains("BerkeleyDB")
                    && $0.reason.contains("unsupported")
            })
        #expect(catalog.skips.contains { $0.path == "usr/lib/sysimage/rpm/Packages.db" && $0.reason.contains("NDB") })
    }

    @Test func laterLayersOverwriteAndWhiteOut() throws {
        let layout = try F.makeLayout()
        let base = try F.layer([
            .file("etc/os-release", F.debianOSRelease),
            .file("var/lib/dpkg/status", F.dpkgStatus),
            .file("var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a-0\nArchitecture: all\n"),
            .file("opt/app/var/lib/dpkg/status.d/x", "Package: x\nVersion: 1\n"),
            .file("lib/apk/db/installed", F.apkInstalled),
        ])
        // Layer 2 rewrites the status file (libc6 only), deletes the distroless entry and the apk db.
        let upper = try F.layer([
            .file(
                "var/lib/dpkg/status",
                "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u7\nSource: glibc\n"),
            .file("var/lib/dpkg/status.d/.wh.tzdata", ""),
            .file("lib/apk/.wh.db", ""),
        ])
        // An empty layer between them (a tar of nothing but its end blocks, as image builders write).
        let empty = try F.layer([])
        let image = try F.pushImage(layout, layers: [base, empty, upper], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["libc6"])
        #expect(catalog.packages.first?.version == "2.36-9+deb12u7")
        #expect(catalog.packages.first?.location.layer == catalog.layers[2])
    }

    @Test func opaqueDirectoryHidesLowerLayersOnly() throws {
        let layout = try F.makeLayout()
        let base = try F.layer([
            .file("etc/os-release", F.debianOSRelease),
            .file("var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n"),
            .file("var/lib/dpkg/status.d/b", "Package: b\nVersion: 1\n"),
        ])
        let upper = try F.layer([
            .directory("var/lib/dpkg/status.d"),
            .file("var/lib/dpkg/status.d/.wh..wh..opq", ""),
            .file("var/lib/dpkg/status.d/c", "Package: c\nVersion: 2\n"),
        ])
        let image = try F.pushImage(layout, layers: [base, upper], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.packages.map(\.name) == ["c"])
        #expect(catalog.distro?.id == "debian")
    }

    @Test func osReleaseSymlinkAndWhiteout() throws {
        let layout = try F.makeLayout()
        let base = try F.layer([
            .symlink("etc/os-release", to: "../usr/lib/os-release"),
            .file("usr/lib/os-release", F.alpineOSRelease),
        ])
        let image = try F.pushImage(layout, layers: [base], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(catalog.distro?.id == "alpine" && catalog.distro?.versionID == "3.19.1")
        // A later layer deleting usr/lib leaves no distro.
        let gone = try F.pushImage(layout, layers: [base, try F.layer([.file("usr/.wh.lib", "")])], tag: "2")
        let after = try #require(try ImageCataloger().catalog(gone, in: LayoutEndpoint(layout)).first)
        #expect(after.distro == nil)
    }

    @Test func multiArchIndexGivesOneCatalogPerPlatform() throws {
        let layout = try F.makeLayout()
        let amd = try F.pushImage(
            layout,
            layers: [
                try F.layer([
                    .file("etc/os-release", F.debianOSRelease),
                    .file("var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\nArchitecture: amd64\n"),
                ])
            ],
            platform: Platform(architecture: "amd64", os: "linux"), tag: nil)
        let arm = try F.pushImage(
            layout,
            layers: [
                try F.layer([
                    .file("etc/os-release", F.debianOSRelease),
                    .file("var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\nArchitecture: arm64\n"),
                ])
            ],
            platform: Platform(architecture: "arm64", os: "linux", variant: "v8"), tag: nil)
        let index = try layout.putManifest(
            try JSONEncoder.ocitool.encode(ImageIndex(manifests: [amd, arm])), mediaType: .ociIndex, tag: "multi")
        let catalogs = try ImageCataloger().catalog(index, in: LayoutEndpoint(layout))
        #expect(catalogs.map { $0.platform?.description } == ["linux/amd64", "linux/arm64/v8"])
        #expect(catalogs.map(\.manifest.digest) == [amd.digest, arm.digest])
        #expect(catalogs.map { $0.packages.first?.purl.qualifiers["arch"] } == ["amd64", "arm64"])
        let one = try ImageCataloger().catalog(
            index, in: LayoutEndpoint(layout), platform: Platform(architecture: "arm64", os: "linux"))
        #expect(one.map(\.manifest.digest) == [arm.digest])
        #expect(
            throws: ScanError.noMatchingPlatform(wanted: "linux/s390x", available: ["linux/amd64", "linux/arm64/v8"])
        ) {
            try ImageCataloger().catalog(
                index, in: LayoutEndpoint(layout), platform: Platform(architecture: "s390x", os: "linux"))
        }
    }

    @Test func cachedLayersAreNotReadAgain() throws {
        let layout = try F.makeLayout()
        let base = try F.layer([.file("etc/os-release", F.debianOSRelease), .file("var/lib/dpkg/status", F.dpkgStatus)])
        let first = try F.pushImage(layout, layers: [base], tag: "1")
        let second = try F.pushImage(
            layout,
            layers: [base, try F.layer([.file("var/lib/dpkg/status.d/extra", "Package: extra\nVersion: 1\n")])],
            tag: "2")
        let cataloger = ImageCataloger(cache: LayerCatalogCache(layoutRoot: layout.path))
        let cold = try #require(try cataloger.catalog(first, in: LayoutEndpoint(layout)).first)
        #expect(cold.layersRead == 1)
        // The second image shares the base layer: only its own layer is read.
        let shared = try #require(try cataloger.catalog(second, in: LayoutEndpoint(layout)).first)
        #expect(shared.layersRead == 1)
        #expect(shared.packages.map(\.name) == ["base-files", "extra", "libc6", "libssl3"])
        // A rescan reads no layer at all, and gives the same answer.
        let warm = try #require(try cataloger.catalog(second, in: LayoutEndpoint(layout)).first)
        #expect(warm.layersRead == 0)
        #expect(
            warm
                == ImageCatalog(
                    manifest: shared.manifest, platform: shared.platform, distro: shared.distro,
                    packages: shared.packages,
                    skips: shared.skips, layers: shared.layers, layersRead: 0))
        let files = try FileManager.default.subpathsOfDirectory(atPath: layout.path + "/.ocitool/catalog")
        #expect(files.filter { $0.hasSuffix(".catalog") }.count == 2)
        #expect(!files.contains { $0.contains(".tmp-") })
    }

    @Test func hardLinksAndLongPaxNames() throws {
        let layout = try F.makeLayout()
        let longName = "var/lib/dpkg/status.d/" + String(repeating: "long-package-name-", count: 12) + "x"
        let image = try F.pushImage(
            layout,
            layers: [
                try F.layer([
                    .file("etc/os-release", F.debianOSRelease),
                    .file(longName, "Package: long\nVersion: 1\n"),
                    .file("var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n"),
                    .hardlink("var/lib/dpkg/status.d/b", to: "var/lib/dpkg/status.d/a"),
                    .file("srv/notread", "Package: n\nVersion: 1\n"),
                    .hardlink("var/lib/dpkg/status.d/c", to: "srv/notread"),
                ])
            ], tag: "1")
        let catalog = try #require(try ImageCataloger().catalog(image, in: LayoutEndpoint(layout)).first)
        #expect(longName.utf8.count > 200)
        #expect(
            catalog.packages.map(\.location.path) == ["var/lib/dpkg/status.d/a", "var/lib/dpkg/status.d/b", longName])
        #expect(
            catalog.skips.map(\.description) == [
                "var/lib/dpkg/status.d/c: a hard link to srv/notread, which was not read"
            ])
    }
}
