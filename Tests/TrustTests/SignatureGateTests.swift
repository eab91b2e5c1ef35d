// SPDX-License-Identifier: Apache-2.0
import Foundation
@testable import Layout
import OCICrypto
import Testing
@testable import Trust

/// The promotion gate (`--require-signature`) with real signatures: the engine admits an image only when one
/// of its signatures verifies with the keys (and names the identity), writes nothing of a refused one, and an
/// import reads the signatures from the archive itself.
@Suite("Trust: signature gates")
struct SignatureGateTests {
    /// An image an archive can hold (a tar layer, its diff ID in the config), tagged.
    static func image(in layout: OCILayout, tag: String) throws -> Descriptor {
        let directory = layout.path + "-layer"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try ArchiveWriter(path: directory + "/layer.tar")
        try writer.addFile("file.bin", contents: TrustFixtures.randomBytes(2_000))
        try writer.finish()
        let layer = try layout.writeBlob(try Data(contentsOf: URL(fileURLWithPath: directory + "/layer.tar")))
        let config = try layout.writeBlob(Data(
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layer.digest)"]}}"#.utf8))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: config.digest, size: config.size),
            layers: [Descriptor(mediaType: .ociLayer, digest: layer.digest, size: layer.size)])
        return try layout.putManifest(try JSONEncoder.ocitool.encode(manifest), mediaType: .ociManifest, tag: tag)
    }

    static func gate(_ keys: [PrivateKey], identity: IdentityRequirement = .ignore) -> SignatureRequirement {
        SignatureRequirement(verifier: SignatureVerifier(keys: keys.map(\.publicKey)), identity: identity)
    }

    static func refusal(_ error: any Error) -> String? {
        guard case .verificationFailed(let message) = error as? LayoutError else { return nil }
        return message
    }

    @Test(arguments: [SignatureFormat.legacy, .bundle])
    func aSignedImageIsPromotedWithItsSignatureAndTheRestIsRefused(format: SignatureFormat) throws {
        let source = try TrustFixtures.layout()
        let target = try TrustFixtures.layout()
        let key = try TrustFixtures.key()
        let signed = try Self.image(in: source, tag: "signed")
        let unsigned = try Self.image(in: source, tag: "unsigned")
        let otherKey = try Self.image(in: source, tag: "other-key")
        let otherName = try Self.image(in: source, tag: "other-name")
        let repository = LayoutEndpoint(source)
        try ImageSigner(key: key).sign(signed, in: repository, identity: TrustFixtures.identity, format: format)
        try ImageSigner(key: try TrustFixtures.key()).sign(otherKey, in: repository, identity: TrustFixtures.identity, format: format)
        try ImageSigner(key: key).sign(otherName, in: repository, identity: "registry.example/else", format: format)
        let gate = Self.gate([key], identity: .matchRepository(TrustFixtures.identity))
        let copy = ImageCopy(from: repository, to: LayoutEndpoint(target), options: CopyOptions(gate: gate))

        for (tag, image, reason) in [
            ("unsigned", unsigned, "no signature found"), ("other-key", otherKey, "does not verify with the key given"),
            ("other-name", otherName, "registry.example/else"),
        ] {
            #expect {
                try copy.copy(.tag(tag), tag: tag)
            } throws: { error in
                let message = Self.refusal(error) ?? ""
                return message.contains(image.digest.description) && message.contains(reason)
            }
        }
        #expect(try target.readIndex().manifests.isEmpty)
        #expect(target.allBlobs().isEmpty)

        let result = try copy.copy(.tag("signed"), tag: "signed")
        #expect(result.descriptor.digest == signed.digest && result.referrersCopied == 1)
        // The signature came along and still verifies where the image now is.
        let report = try SignatureVerifier(keys: [key.publicKey]).verify(
            signed, in: LayoutEndpoint(target), identity: .matchRepository(TrustFixtures.identity))
        #expect(report.isVerified)
    }

    @Test func anImportIsAdmittedOnlyWhenEveryImageVerifiesFromTheArchive() throws {
        let source = try TrustFixtures.layout()
        let target = try TrustFixtures.layout()
        let key = try TrustFixtures.key()
        let signed = try Self.image(in: source, tag: "1.0")
        let unsigned = try Self.image(in: source, tag: "2.0")
        let repository = LayoutEndpoint(source)
        try ImageSigner(key: key).sign(signed, in: repository, identity: TrustFixtures.identity, format: .both)
        let both = source.path + "-both.tar"
        let one = source.path + "-one.tar"
        try exportArchive(
            [ExportItem(source: repository, descriptor: signed, tag: "1.0"), ExportItem(source: repository, descriptor: unsigned, tag: "2.0")],
            to: both)
        try exportArchive([ExportItem(source: repository, descriptor: signed, tag: "1.0")], to: one)
        let before = TrustFixtures.indexJSON(target)

        #expect {
            try target.importArchive(from: both, options: ImportOptions(gate: Self.gate([key])))
        } throws: { error in
            (Self.refusal(error) ?? "").contains("no valid signature for \(unsigned.digest)")
                || (Self.refusal(error) ?? "").contains("no signature found for \(unsigned.digest)")
        }
        #expect(TrustFixtures.indexJSON(target) == before)
        #expect(target.allBlobs().isEmpty)
        // A key that signed nothing here refuses even the signed bundle.
        #expect(throws: LayoutError.self) {
            try target.importArchive(from: one, options: ImportOptions(gate: Self.gate([try TrustFixtures.key()])))
        }
        #expect(target.allBlobs().isEmpty)

        let imported = try target.importArchive(from: one, options: ImportOptions(gate: Self.gate([key])))
        #expect(imported.images.contains { $0.descriptor.digest == signed.digest })
        let report = try SignatureVerifier(keys: [key.publicKey]).verify(
            signed, in: LayoutEndpoint(target), identity: .matchRepository(TrustFixtures.identity))
        #expect(report.valid.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.bundle, .legacy])
        #expect(try target.check().isClean)
    }
}
