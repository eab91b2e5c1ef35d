// SPDX-License-Identifier: Apache-2.0
import Scan
import Testing

@Suite struct PackageURLTests {
    @Test func canonicalFormSortsQualifiersAndEncodes() {
        let purl = PackageURL(
            type: "DEB", namespace: "debian", name: "libssl3", version: "3.0.11-1~deb12u2",
            qualifiers: ["distro": "debian-12", "arch": "amd64"])
        #expect(purl.description == "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12")
        let scoped = PackageURL(type: "npm", namespace: "@babel", name: "core", version: "7.0.0")
        #expect(scoped.description == "pkg:npm/%40babel/core@7.0.0")
    }

    @Test(arguments: [
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        "pkg:npm/%40babel/core@7.0.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        "pkg:golang/golang.org/x/net@v0.0.0-20220906165146-f3363e06e74c",
        "pkg:pypi/jinja2@2.11.2",
        "pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=3.19.1",
        "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1#sub/path",
    ])
    func parsesAndPrintsBack(_ text: String) throws {
        let purl = try #require(PackageURL(text))
        #expect(purl.description == text)
    }

    @Test func parsedComponents() throws {
        let purl = try #require(PackageURL("pkg:golang/golang.org/x/net@v0.17.0?type=module"))
        #expect(purl.type == "golang")
        #expect(purl.namespace == "golang.org/x")
        #expect(purl.name == "net")
        #expect(purl.version == "v0.17.0")
        #expect(purl.qualifiers == ["type": "module"])
    }

    @Test(arguments: ["", "deb/debian/x@1", "pkg:", "pkg:deb"])
    func rejectsNonPurls(_ text: String) {
        #expect(PackageURL(text) == nil)
    }
}
