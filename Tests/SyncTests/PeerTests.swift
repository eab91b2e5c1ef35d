// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing
import TestSupport

/// Real peers end to end: `ocitool serve` in this process (referrers API) and CNCF distribution 2.8 (no
/// referrers API: the fallback tag), with layouts between them.
@Suite(.enabled(if: DockerRegistry.isAvailable, "needs /usr/bin/docker-registry"), .serialized)
struct PeerTests {
    /// serve → distribution → layout → serve (another repository), from a layout: at every hop the tag holds
    /// the same digest, every blob is there, and every referrer (an SBOM, its signature, the image's
    /// signature) is listed under its subject with its artifact type and annotations.
    @Test func aSignedImageWithAnSBOMCrossesEveryPeer() async throws {
        try await InProcessServe.with { serve in
            try await offPool {
                let registry = try DockerRegistry()
                defer { registry.stop() }
                let origin = try SyncFixtures.layout()
                let middle = try SyncFixtures.layout()
                defer { SyncFixtures.remove(origin, middle) }
                let image = try SyncFixtures.image(in: origin, tag: "1.0", layers: [70_001, 300_007, 1_048_583])
                let (sbom, sbomSignature, imageSignature) = try SyncFixtures.attachSBOMAndSignatures(in: origin, to: image)
                let referrers = try origin.referrers(of: image.digest) + origin.referrers(of: sbom.digest)
                let expected = Expected(
                    image: image.digest, manifest: try origin.manifest(image),
                    referrers: [image.digest: [sbom.digest, imageSignature.digest], sbom.digest: [sbomSignature.digest]],
                    descriptors: Dictionary(uniqueKeysWithValues: referrers.map { ($0.digest, $0) }))

                let hops: [(String, any ImageSource & ImageDestination)] = [
                    ("layout", LayoutEndpoint(origin)),
                    ("serve team/app", serve.repository("team/app")),
                    ("distribution mirror/app", registry.repository("mirror/app")),
                    ("layout", LayoutEndpoint(middle)),
                    ("serve copy/app", serve.repository("copy/app")),
                ]
                for (from, to) in zip(hops, hops.dropFirst()) {
                    let result = try ImageCopy(from: from.1, to: to.1).copy(.tag("1.0"), tag: "1.0")
                    #expect(result.descriptor.digest == image.digest, "\(from.0) -> \(to.0)")
                    #expect(result.referrersCopied == 3, "\(from.0) -> \(to.0)")
                    #expect(result.bytesCopied >= 1_418_591, "\(from.0) -> \(to.0)")
                    try expected.check(to.1, hop: to.0)
                }
                #expect(try middle.check().isClean)
                // The fallback tags are distribution's way of listing referrers; serve needs none.
                #expect(try registry.client().fallbackIndex("mirror/app", subject: image.digest) != nil)
                #expect(try serve.repository("copy/app").client.fallbackIndex("copy/app", subject: image.digest) == nil)
            }
        }
    }

    /// What each hop must hold.
    struct Expected {
        var image: Digest
        var manifest: Manifest
        var referrers: [Digest: Set<Digest>]
        var descriptors: [Digest: Descriptor]

        func check(_ endpoint: any ImageSource & ImageDestination, hop: String) throws {
            #expect(try endpoint.resolve(.tag("1.0")).digest == image, "\(hop)")
            let fetched = try endpoint.manifest(Descriptor(mediaType: manifest.mediaType, digest: image, size: Int64(manifest.bytes.count)))
            #expect(fetched.bytes == manifest.bytes, "\(hop)")
            for blob in manifest.references {
                #expect(try endpoint.hasBlob(blob), "\(hop): blob \(blob.digest)")
            }
            for (subject, wanted) in referrers {
                let listed = try endpoint.referrers(of: subject).map(\.descriptor)
                #expect(Set(listed.map(\.digest)) == wanted, "\(hop): referrers of \(subject)")
                for entry in listed {
                    let original = try #require(descriptors[entry.digest])
                    #expect(entry.artifactType == original.artifactType, "\(hop)")
                    #expect(entry.annotations?["signed"] == original.annotations?["signed"], "\(hop)")
                    let referrer = try endpoint.manifest(entry)
                    #expect(referrer.subject?.digest == subject, "\(hop)")
                    for blob in referrer.references { #expect(try endpoint.hasBlob(blob), "\(hop): \(blob.digest)") }
                }
            }
        }
    }

    /// Five tags on serve, synced to distribution with filters: the dry run plans without writing, the sync
    /// copies what the filters keep, a second run skips everything without moving a byte, and a moved tag or
    /// a new signature is picked up on the next run.
    @Test func syncFiltersPlansCopiesAndThenSkips() async throws {
        try await InProcessServe.with { serve in
            try await offPool {
                let registry = try DockerRegistry()
                defer { registry.stop() }
                let origin = try SyncFixtures.layout()
                defer { SyncFixtures.remove(origin) }
                let source = serve.repository("team/app")
                var images: [String: Descriptor] = [:]
                for tag in ["1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0", "latest"] {
                    images[tag] = try SyncFixtures.image(in: origin, tag: tag, layers: [40_000 + images.count])
                    try ImageCopy(from: LayoutEndpoint(origin), to: source).copy(.tag(tag), tag: tag)
                }
                let sbom = try SyncFixtures.attachSBOMAndSignatures(in: origin, to: try #require(images["2.0.0"])).sbom
                try ImageCopy(from: LayoutEndpoint(origin), to: source).copy(.tag("2.0.0"), tag: "2.0.0")

                let options = RegistryOptions(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05))
                // Numeric tags (not latest), releases from 1 to below 3 (not the rc), the two highest.
                let job = try SyncJob(
                    source: .registry(host: serve.host, repository: "team/app", selector: nil),
                    destination: .registry(host: registry.host, repository: "mirror/app", selector: nil),
                    sourceRegistry: options, destinationRegistry: options,
                    filter: TagFilter(allow: [#"^v?\d"#], semver: ">=1 <3", latest: 2))
                let destination = registry.repository("mirror/app")

                let plan = SyncRunner(dryRun: true).run([job])
                #expect(plan.results.map(\.tag) == ["1.1.0", "2.0.0"])
                #expect(plan.results.map(\.status) == [.planned, .planned])
                #expect(plan.results.map(\.reason) == [.new, .new])
                #expect(plan.results.map(\.digest) == [images["1.1.0"]?.digest, images["2.0.0"]?.digest])
                #expect(plan.planned == 2 && plan.bytes == 0 && plan.succeeded)
                #expect(throws: SyncError.self) { _ = try destination.listTags() }  // nothing written

                let first = SyncRunner().run([job])
                #expect(first.copied == 2 && first.skipped == 0 && first.failed == 0)
                #expect(first.bytes > 80_000)
                #expect(first.results.map(\.referrersCopied) == [0, 3])
                #expect(try destination.lookupTag("2.0.0", forWriting: false)?.digest == images["2.0.0"]?.digest)
                #expect(try Set(destination.referrers(of: try #require(images["2.0.0"]).digest).map(\.descriptor.digest)).contains(sbom.digest))
                // Only the selected tags (and the referrers fallback tags) are there.
                let tags = try destination.listTags()
                #expect(Set(tags.filter { !$0.hasPrefix("sha256-") }) == ["1.1.0", "2.0.0"])

                let second = SyncRunner().run([job])
                #expect(second.skipped == 2 && second.copied == 0 && second.failed == 0)
                #expect(second.bytes == 0)
                #expect(second.results.allSatisfy { $0.blobsCopied == 0 && $0.manifestsCopied == 0 && $0.status == .skipped })

                // 1.1.0 moves to another image; 2.0.0's image gets one more signature.
                let moved = try SyncFixtures.image(in: origin, tag: "1.1.0", layers: [41_000])
                try ImageCopy(from: LayoutEndpoint(origin), to: source).copy(.tag("1.1.0"), tag: "1.1.0")
                let signature = try SyncFixtures.attachSBOMAndSignatures(in: origin, to: try #require(images["2.0.0"])).imageSignature
                try ImageCopy(from: LayoutEndpoint(origin), to: source).copy(.tag("2.0.0"), tag: "2.0.0")
                let third = SyncRunner().run([job])
                #expect(third.results.map(\.reason) == [.changed, .referrers])
                #expect(third.results.map(\.previous) == [images["1.1.0"]?.digest, images["2.0.0"]?.digest])
                // The new SBOM's file and the signature file (both new signatures hold the same bytes).
                #expect(third.results[1].blobsCopied == 2)
                #expect(try destination.lookupTag("1.1.0", forWriting: false)?.digest == moved.digest)
                #expect(try destination.referrers(of: try #require(images["2.0.0"]).digest).contains { $0.descriptor.digest == signature.digest })
                #expect(SyncRunner().run([job]).skipped == 2)
            }
        }
    }
}
