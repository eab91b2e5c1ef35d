// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@Suite("inspect: image summaries")
struct InspectTests {
    let layout: OCILayout

    init() throws { layout = try LayoutFixtures.makeLayout() }

    @Test func summarisesAnImage() throws {
        defer { LayoutFixtures.remove(layout) }
        let platform = Platform(architecture: "arm64", os: "linux", variant: "v8")
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1", layers: 3, platform: platform)
        try layout.tag("latest", to: image)
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: image)
        guard case .image(let manifest) = try layout.manifest(image).kind else {
            Issue.record("not an image")
            return
        }

        let summary = try layout.summary(of: try layout.resolve(.tag("v1")))

        #expect(summary.kind == .image)
        #expect(summary.descriptor == Descriptor(mediaType: .ociManifest, digest: image.digest, size: image.size))
        #expect(summary.tags == ["latest", "v1"])
        #expect(summary.platform == platform)
        #expect(summary.platforms.isEmpty)
        #expect(summary.config?.rootfs?.diffIDs == manifest.layers.map(\.digest))
        #expect(summary.layers == manifest.layers)
        #expect(summary.totalSize == image.size + manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size })
        #expect(summary.subject == nil && summary.artifactType == nil)
        #expect(summary.referrers.map(\.digest) == [sbom.digest])
        #expect(summary.referrers.first?.artifactType == "application/vnd.example.sbom")
    }

    @Test func summarisesAnArtifact() throws {
        defer { LayoutFixtures.remove(layout) }
        let image = try LayoutFixtures.pushRandomImage(layout: layout, tag: "v1")
        let sbom = try LayoutFixtures.pushArtifact(layout: layout, subject: image)

        let summary = try layout.summary(of: sbom)

        #expect(summary.kind == .image)
        #expect(summary.tags.isEmpty)
        #expect(summary.config == nil && summary.platform == nil)
        #expect(summary.artifactType == "application/vnd.example.sbom")
        #expect(summary.subject?.digest == image.digest)
        #expect(summary.annotations?["org.example.kind"] == "test")
        #expect(summary.referrers.isEmpty)
    }

    @Test func summarisesAnIndex() throws {
        defer { LayoutFixtures.remove(layout) }
        let platforms = [
            Platform(architecture: "amd64", os: "linux"), Platform(architecture: "arm64", os: "linux", variant: "v8"),
        ]
        var children: [Descriptor] = []
        var total: Int64 = 0
        for platform in platforms {
            var child = try LayoutFixtures.writeRandomImage(layout: layout, layers: 2, platform: platform)
            child.platform = platform
            children.append(child)
            total += child.size
            guard case .image(let manifest) = try layout.manifest(child).kind else { return }
            total += ([manifest.config] + manifest.layers).reduce(0) { $0 + $1.size }
        }
        // A third child reuses a listed child: its blobs count once.
        if let first = children.first { children.append(first) }
        let index = try LayoutFixtures.pushIndex(layout: layout, children: children, tag: "multi")

        let summary = try layout.summary(of: index)

        #expect(summary.kind == .index)
        #expect(summary.tags == ["multi"])
        #expect(summary.platforms == platforms + [platforms[0]])
        #expect(summary.platform == nil && summary.config == nil && summary.layers.isEmpty)
        #expect(summary.totalSize == index.size + total)
    }
}
