// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Sync
import Testing

@Suite struct SyncPlannerTests {
    static func reasons(_ items: [SyncPlanItem]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: items.map { item in
            let action: String
            switch item.action {
            case .skip: action = "skip"
            case .copy(let reason): action = reason.rawValue
            case .fail(let error): action = "fail: \(error)"
            }
            return (item.tag, action)
        })
    }

    @Test func tagsAreCopiedWhenNewOrMovedAndSkippedWhenTheDigestIsThere() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let one = try SyncFixtures.image(in: source, tag: "1.0")
        try SyncFixtures.image(in: source, tag: "2.0")
        let counting = CountingSource(source)
        let planner = SyncPlanner(source: counting, destination: LayoutEndpoint(target), options: CopyOptions())

        #expect(try planner.tags(TagFilter(allow: ["^1"])) == ["1.0"])
        var plan = planner.plan(["1.0", "2.0", "3.0"])
        #expect(SyncPlannerTests.reasons(plan) == ["1.0": "new", "2.0": "new", "3.0": "fail: tag 3.0 not found in \(source.path)"])
        #expect(plan[0].source?.digest == one.digest && plan[0].target == one.digest && plan[0].current == nil)

        try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "2.0")
        plan = planner.plan(["1.0", "2.0"])
        #expect(SyncPlannerTests.reasons(plan) == ["1.0": "skip", "2.0": "changed"])
        #expect(plan[1].current == one.digest)
        // Lookups only: no blob was read, no manifest fetched for a plain image.
        #expect(counting.count("blob") == 0)
        #expect(counting.count("manifest") == 0)
    }

    @Test func aMissingReferrerMakesAnUpToDateTagACopy() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let image = try SyncFixtures.image(in: source, tag: "1.0")
        try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        let planner = SyncPlanner(source: LayoutEndpoint(source), destination: LayoutEndpoint(target), options: CopyOptions())
        #expect(SyncPlannerTests.reasons(planner.plan(["1.0"])) == ["1.0": "skip"])

        // An SBOM, its signature and the image's signature attached after the first sync.
        let (sbom, sbomSignature, _) = try SyncFixtures.attachSBOMAndSignatures(in: source, to: image)
        #expect(SyncPlannerTests.reasons(planner.plan(["1.0"])) == ["1.0": "referrers"])
        // Without referrers they are not compared.
        let noReferrers = SyncPlanner(
            source: LayoutEndpoint(source), destination: LayoutEndpoint(target), options: CopyOptions(referrers: false))
        #expect(SyncPlannerTests.reasons(noReferrers.plan(["1.0"])) == ["1.0": "skip"])

        // The copy moves the referrers only; then the tag is up to date again.
        let result = try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target)).copy(.tag("1.0"), tag: "1.0")
        #expect(result.referrersCopied == 3)
        #expect(SyncPlannerTests.reasons(planner.plan(["1.0"])) == ["1.0": "skip"])

        // A signature of the SBOM missing two levels down is found too.
        try target.removeManifest(sbomSignature.digest)
        #expect(SyncPlannerTests.reasons(planner.plan(["1.0"])) == ["1.0": "referrers"])
        // Unless the artifact-type filter leaves the SBOM out.
        var signaturesOnly = CopyOptions()
        signaturesOnly.artifactTypes = [SyncFixtures.signatureType]
        let filtered = SyncPlanner(
            source: LayoutEndpoint(source), destination: LayoutEndpoint(target), options: signaturesOnly)
        #expect(SyncPlannerTests.reasons(filtered.plan(["1.0"])) == ["1.0": "skip"])
        #expect(try target.referrers(of: image.digest).contains { $0.digest == sbom.digest })
    }

    @Test func anIndexIsComparedWithWhatItsCopyStores() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let index = try SyncFixtures.multiArch(in: source, tag: "multi")
        let arm = try Platform(parsing: "linux/arm64/v8")
        for copy in [CopyOptions(all: true), CopyOptions(platforms: [arm])] {
            let options = copy
            let planner = SyncPlanner(source: LayoutEndpoint(source), destination: LayoutEndpoint(target), options: options)
            let first = try #require(planner.plan(["multi"]).first)
            let stored = try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target), options: options)
                .copy(.tag("multi"), tag: "multi")
            #expect(first.target == stored.descriptor.digest)
            #expect((first.target == index.digest) == copy.all)
            #expect(SyncPlannerTests.reasons(planner.plan(["multi"])) == ["multi": "skip"])
        }
    }

    @Test func aDestinationThatDoesNotExistYetGetsEveryTag() throws {
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        try SyncFixtures.image(in: source, tag: "a")
        try SyncFixtures.image(in: source, tag: "b")
        let planner = SyncPlanner(source: LayoutEndpoint(source), destination: nil, options: CopyOptions())
        #expect(SyncPlannerTests.reasons(planner.plan(try planner.tags(.all))) == ["a": "new", "b": "new"])
    }
}
