// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing
import TestSupport

/// An index already at the destination: referrers attached later to one of its platform images are found
/// by the next incremental sync (and copy), at the cost of lookups only.
@Suite(.enabled(if: DockerRegistry.isAvailable, "needs /usr/bin/docker-registry"), .serialized)
struct IndexReferrersTests {
    static let arm = Platform(architecture: "arm64", os: "linux", variant: "v8")

    /// The whole index (`--all`), and a filtered index (`--platform linux/arm64/v8`, a new digest).
    @Test(arguments: [CopyOptions(all: true), CopyOptions(platforms: [arm])])
    func aSignatureAddedToAPlatformImageIsSyncedNextRun(copy: CopyOptions) throws {
        let registry = try DockerRegistry()
        defer { registry.stop() }
        let origin = try SyncFixtures.layout()
        defer { SyncFixtures.remove(origin) }
        let index = try SyncFixtures.multiArch(in: origin, tag: "1.0")
        guard case .index(let parsed) = try origin.manifest(index).kind else { throw LayoutError.manifestInvalid("no index") }
        let arm = try #require(parsed.manifests.first { $0.platform?.architecture == "arm64" })

        let options = RegistryOptions(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05))
        let job = try SyncJob(
            source: .layout(path: origin.path, selector: nil),
            destination: .registry(host: registry.host, repository: "mirror/app", selector: nil),
            destinationRegistry: options, copy: copy)
        let mirror = registry.repository("mirror/app")
        let copied = registry.repository("copy/app")
        func plan() throws -> (SyncPlanItem, CountingSource) {
            let counting = CountingSource(origin)
            let item = try #require(SyncPlanner(source: counting, destination: mirror, options: copy).plan(["1.0"]).first)
            return (item, counting)
        }

        #expect(SyncRunner().run([job]).copied == 1)
        try ImageCopy(from: LayoutEndpoint(origin), to: copied, options: copy).copy(.tag("1.0"), tag: "1.0")
        #expect(SyncRunner().run([job]).skipped == 1)

        // An SBOM, its signature and a signature on the arm64 image only.
        let (sbom, _, signature) = try SyncFixtures.attachSBOMAndSignatures(in: origin, to: arm)
        let (item, _) = try plan()
        guard case .copy(.referrers) = item.action else {
            Issue.record("planned \(item.action), not a copy for the referrers")
            return
        }
        let third = SyncRunner().run([job])
        #expect(third.results.map(\.status) == [.copied])
        #expect(third.results.map(\.reason) == [.referrers])
        #expect(third.results.first?.referrersCopied == 3)
        #expect(third.results.first?.bytesCopied ?? 0 < 1_000)  // the artifacts' small files, not the layers
        let listed = Set(try mirror.referrers(of: arm.digest).map(\.descriptor.digest))
        #expect(listed == [sbom.digest, signature.digest])
        // A copy of the same index picks them up as well.
        let again = try ImageCopy(from: LayoutEndpoint(origin), to: copied, options: copy).copy(.tag("1.0"), tag: "1.0")
        #expect(again.referrersCopied == 3 && again.bytesCopied < 1_000)
        #expect(Set(try copied.referrers(of: arm.digest).map(\.descriptor.digest)) == [sbom.digest, signature.digest])

        // Then nothing to do, found with lookups only: no blob read, at most the source index (to know the
        // filtered index's digest).
        let (last, source) = try plan()
        guard case .skip = last.action else {
            Issue.record("planned \(last.action), not a skip")
            return
        }
        #expect(source.count("blob") == 0)
        #expect(source.count("manifest") == (copy.all ? 0 : 1))
        #expect(source.count("referrers") >= 3)
        #expect(SyncRunner().run([job]).skipped == 1)
    }
}
