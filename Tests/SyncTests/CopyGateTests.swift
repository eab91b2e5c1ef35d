// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Layout
@testable import Sync
import Testing

/// The engine's gate, whichever check it makes (Trust's signature requirement is one): asked once per image
/// with the source it reads signatures from; a refused image writes nothing, in a copy, a sync (a failure
/// with its reason, the other tags synced) and an import (the whole archive refused).
@Suite struct CopyGateTests {
    /// Admits an image only when the source lists a cosign `.sig` for it (what a signature check reads first),
    /// and records what it was asked.
    final class NeedsLegacySignature: CopyGate, @unchecked Sendable {
        let asked = Locked<[Digest]>([])

        struct Refusal: Error, CustomStringConvertible {
            let digest: Digest
            var description: String { "no signature for \(digest)" }
        }

        func admit(_ descriptor: Descriptor, from source: any ImageSource) throws {
            asked.withLock { $0.append(descriptor.digest) }
            guard try source.referrers(of: descriptor.digest).contains(where: { $0.legacyTag?.hasSuffix(".sig") == true })
            else { throw Refusal(digest: descriptor.digest) }
        }
    }

    /// `v1` signed (a `.sig` tag), `v2` not.
    static func source() throws -> (OCILayout, signed: Descriptor, unsigned: Descriptor, signature: Descriptor) {
        let layout = try SyncFixtures.layout()
        let signed = try SignatureTravelTests.image(in: layout, tag: "v1", size: 3_000)
        let unsigned = try SignatureTravelTests.image(in: layout, tag: "v2", size: 4_000)
        let signature = try SignatureTravelTests.image(in: layout, tag: "sha256-\(signed.digest.encoded).sig", size: 100)
        return (layout, signed, unsigned, signature)
    }

    @Test func aRefusedCopyWritesNothingAndAnAdmittedOneCarriesItsSignature() throws {
        let (source, signed, unsigned, signature) = try Self.source()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let gate = NeedsLegacySignature()
        let options = CopyOptions(gate: gate)
        #expect {
            try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target), options: options).copy(.tag("v2"), tag: "v2")
        } throws: { error in
            guard case .verificationFailed(let message) = error as? LayoutError else { return false }
            return message.contains("was refused: no signature for \(unsigned.digest)")
        }
        #expect(try target.readIndex().manifests.isEmpty)
        #expect(target.allBlobs().isEmpty)

        let copied = try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target), options: options)
            .copy(.tag("v1"), tag: "v1")
        #expect(copied.referrersCopied == 1)
        #expect(try target.resolve(.tag("sha256-\(signed.digest.encoded).sig")).digest == signature.digest)
        #expect(gate.asked.current == [unsigned.digest, signed.digest])
    }

    @Test func anIndexIsAskedAboutOnceAsAWhole() throws {
        let source = try SyncFixtures.layout()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let index = try SyncFixtures.multiArch(in: source, tag: "multi")
        try SyncFixtures.image(in: source, tag: "sha256-\(index.digest.encoded).sig", layers: [100])
        let gate = NeedsLegacySignature()
        try ImageCopy(from: LayoutEndpoint(source), to: LayoutEndpoint(target), options: CopyOptions(all: true, gate: gate))
            .copy(.tag("multi"), tag: "multi")
        #expect(gate.asked.current == [index.digest])
        #expect(try target.resolve(.tag("multi")).digest == index.digest)
    }

    @Test func syncReportsARefusedTagAsAFailureWithItsReasonAndSyncsTheRest() throws {
        let (source, signed, unsigned, signature) = try Self.source()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let gate = NeedsLegacySignature()
        let job = try SyncJob(
            source: .layout(path: source.path, selector: nil), destination: .layout(path: target.path, selector: nil),
            copy: CopyOptions(gate: gate))
        let report = SyncRunner(keepGoing: true).run([job])
        let byTag = Dictionary(uniqueKeysWithValues: report.results.map { ($0.tag ?? "", $0) })
        // The .sig tag is no image of its own under a gate: it came with v1.
        #expect(Set(byTag.keys) == ["v1", "v2"])
        #expect(byTag["v1"]?.status == .copied)
        #expect(byTag["v1"]?.referrersCopied == 1)
        #expect(byTag["v2"]?.status == .failed)
        #expect(byTag["v2"]?.error?.contains("no signature for \(unsigned.digest)") == true)
        #expect(report.failed == 1 && !report.succeeded)
        #expect(try target.readIndex().tags.sorted() == ["sha256-\(signed.digest.encoded).sig", "v1"])
        #expect(try target.resolve(.tag("sha256-\(signed.digest.encoded).sig")).digest == signature.digest)
        #expect(target.blobSize(unsigned.digest) == nil)
    }

    @Test func anImportIsAdmittedWholeOrNotAtAllWithSignaturesReadFromTheArchive() throws {
        let (source, signed, unsigned, _) = try Self.source()
        let target = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source, target) }
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let both = directory + "/both.tar"
        let one = directory + "/one.tar"
        let endpoint = LayoutEndpoint(source)
        try exportArchive(
            [ExportItem(source: endpoint, descriptor: signed, tag: "v1"), ExportItem(source: endpoint, descriptor: unsigned, tag: "v2")],
            to: both)
        try exportArchive([ExportItem(source: endpoint, descriptor: signed, tag: "v1")], to: one)
        let gate = NeedsLegacySignature()
        #expect {
            try target.importArchive(from: both, options: ImportOptions(gate: gate))
        } throws: { error in
            guard case .verificationFailed(let message) = error as? LayoutError else { return false }
            return message.contains("no signature for \(unsigned.digest)")
        }
        #expect(try target.readIndex().manifests.isEmpty)
        #expect(target.allBlobs().isEmpty)
        #expect(try target.check().isClean)

        let result = try target.importArchive(from: one, options: ImportOptions(gate: gate))
        #expect(result.images.map(\.descriptor.digest).contains(signed.digest))
        #expect(try target.readIndex().tags.sorted() == ["sha256-\(signed.digest.encoded).sig", "v1"])
    }
}
