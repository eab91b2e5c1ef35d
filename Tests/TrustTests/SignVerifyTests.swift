// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
import TestSupport
@testable import Trust

/// Signing an image in a layout and verifying it, through the library (no process).
@Suite("Trust: sign and verify")
struct SignVerifyTests {
    let identity = IdentityRequirement.matchRepository(TrustFixtures.identity)

    @Test(arguments: [SignatureFormat.legacy, .bundle, .both])
    func roundTripInALayout(format: SignatureFormat) throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let key = try TrustFixtures.key()
        let repository = LayoutEndpoint(layout)
        let signed = try ImageSigner(key: key).sign(image, in: repository, identity: TrustFixtures.identity, format: format)
        #expect(signed.map(\.digest) == [image.digest])
        #expect((signed[0].legacyManifest != nil) == (format != .bundle))
        #expect((signed[0].bundleReferrer != nil) == (format != .legacy))

        let report = try SignatureVerifier(keys: [key.publicKey]).verify(image, in: repository, identity: identity)
        #expect(report.isVerified)
        let kinds = report.candidates.map(\.kind)
        #expect(kinds == (format == .legacy ? [.legacy] : format == .bundle ? [.bundle] : [.legacy, .bundle]))
        for candidate in report.candidates {
            #expect(candidate.verdict == .valid, "\(candidate.reason)")
            #expect(candidate.keyHint == key.publicKey.hint)
            #expect(candidate.signedDigest == image.digest)
            #expect(candidate.signedIdentity == TrustFixtures.identity)
        }
        // The tag cosign looks under, with one simple-signing layer.
        if format != .bundle {
            let tagged = try layout.resolve(.tag(CosignSignatureManifest.signatureTag(of: image.digest)))
            guard case .image(let manifest) = try layout.manifest(tagged).kind else {
                Issue.record("the .sig manifest is not an image manifest")
                return
            }
            #expect(manifest.layers.map(\.mediaType) == [TrustMediaTypes.simpleSigning])
        }
    }

    @Test func anotherKeyDoesNotVerify() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let repository = LayoutEndpoint(layout)
        try ImageSigner(key: try TrustFixtures.key()).sign(image, in: repository, identity: TrustFixtures.identity)
        let other = try TrustFixtures.key()
        let report = try SignatureVerifier(keys: [other.publicKey]).verify(image, in: repository, identity: identity)
        #expect(!report.isVerified)
        #expect(report.candidates.map(\.verdict) == [.wrongKey, .wrongKey])
        #expect(throws: TrustError.self) { try report.requireVerified() }
    }

    @Test func anyOfSeveralKeysVerifies() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let repository = LayoutEndpoint(layout)
        let signer = try TrustFixtures.key()
        try ImageSigner(key: signer).sign(image, in: repository, identity: TrustFixtures.identity, format: .legacy)
        let keys = [try TrustFixtures.key().publicKey, signer.publicKey, try TrustFixtures.key().publicKey]
        let report = try SignatureVerifier(keys: keys).verify(image, in: repository, identity: identity)
        #expect(report.isVerified)
        #expect(report.valid.first?.keyHint == signer.publicKey.hint)
    }

    @Test func identityIsMatchedByRepository() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let repository = LayoutEndpoint(layout)
        let key = try TrustFixtures.key()
        try ImageSigner(key: key).sign(image, in: repository, identity: "docker.io/library/busybox", format: .both)
        let verifier = SignatureVerifier(keys: [key.publicKey])
        // Docker's normalization: a tag is ignored, docker.io and library/ are implied, index.docker.io is docker.io.
        for accepted in ["busybox", "busybox:1.36", "index.docker.io/library/busybox", "docker.io/library/busybox@sha256:" + String(repeating: "a", count: 64)] {
            #expect(try verifier.verify(image, in: repository, identity: .matchRepository(accepted)).isVerified, "\(accepted)")
        }
        let other = try verifier.verify(image, in: repository, identity: .matchRepository("registry.example/busybox"))
        #expect(!other.isVerified)
        #expect(other.candidates.map(\.verdict) == [.otherIdentity, .otherIdentity])
        #expect(try verifier.verify(image, in: repository, identity: .ignore).isVerified)
    }

    @Test func signingTwiceAddsNoSecondLegacyLayer() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let repository = LayoutEndpoint(layout)
        let key = try TrustFixtures.key()
        let first = try ImageSigner(key: key).sign(image, in: repository, identity: TrustFixtures.identity, format: .legacy)
        let second = try ImageSigner(key: key).sign(image, in: repository, identity: TrustFixtures.identity, format: .legacy)
        #expect(first[0].legacyManifest == second[0].legacyManifest)
        // Another key appends its own layer, as cosign does; the old manifest leaves index.json.
        let third = try ImageSigner(key: try TrustFixtures.key()).sign(
            image, in: repository, identity: TrustFixtures.identity, format: .legacy)
        let manifest = try layout.manifest(try layout.resolve(.digest(try #require(third[0].legacyManifest))))
        guard case .image(let signatures) = manifest.kind else { throw TrustError.malformed("not an image") }
        #expect(signatures.layers.count == 2)
        let listed = try layout.readIndex().manifests.map(\.digest)
        #expect(!listed.contains(try #require(first[0].legacyManifest)))
        #expect(try SignatureVerifier(keys: [key.publicKey]).verify(image, in: repository, identity: identity).isVerified)
    }

    /// Two signers appending to one `.sig` at once (threads, as two processes would): neither layer is lost.
    @Test func concurrentSignersBothLand() async throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let keys = try (0..<6).map { _ in try TrustFixtures.key() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask {
                    try ImageSigner(key: key).sign(
                        image, in: LayoutEndpoint(layout), identity: TrustFixtures.identity, format: .legacy)
                }
            }
            try await group.waitForAll()
        }
        let report = try SignatureVerifier(keys: keys.map(\.publicKey)).verify(
            image, in: LayoutEndpoint(layout), identity: identity)
        #expect(report.candidates.count == keys.count)
        #expect(Set(report.valid.compactMap(\.keyHint)) == Set(keys.map(\.publicKey.hint)))
    }

    @Test func recursiveSignsEveryChildOfAnIndex() throws {
        let layout = try TrustFixtures.layout()
        let (index, children) = try TrustFixtures.index(in: layout, tag: "multi")
        let repository = LayoutEndpoint(layout)
        let key = try TrustFixtures.key()
        let signed = try ImageSigner(key: key).sign(index, in: repository, identity: TrustFixtures.identity, recursive: true)
        #expect(signed.map(\.digest) == [index.digest] + children.map(\.digest))
        let verifier = SignatureVerifier(keys: [key.publicKey])
        for manifest in [index] + children {
            #expect(try verifier.verify(manifest, in: repository, identity: identity).isVerified)
        }
        // Without --recursive only the index is signed.
        let plain = try TrustFixtures.layout()
        let (plainIndex, plainChildren) = try TrustFixtures.index(in: plain, tag: "multi")
        try ImageSigner(key: key).sign(plainIndex, in: LayoutEndpoint(plain), identity: TrustFixtures.identity)
        #expect(try verifier.verify(plainIndex, in: LayoutEndpoint(plain), identity: identity).isVerified)
        #expect(try !verifier.verify(plainChildren[0], in: LayoutEndpoint(plain), identity: identity).isVerified)
    }

    @Test func signingReadsNoLayer() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        guard case .image(let manifest) = try layout.manifest(image).kind else { return }
        // Remove the image's layer and config: signing needs the manifest alone.
        for blob in [manifest.config] + manifest.layers {
            try FileManager.default.removeItem(atPath: layout.path + "/" + blob.digest.blobPath)
        }
        let key = try TrustFixtures.key()
        try ImageSigner(key: key).sign(image, in: LayoutEndpoint(layout), identity: TrustFixtures.identity)
        #expect(try SignatureVerifier(keys: [key.publicKey]).verify(image, in: LayoutEndpoint(layout), identity: identity).isVerified)
    }

    @Test func anImageWithoutSignaturesDoesNotVerify() throws {
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        let report = try SignatureVerifier(keys: [try TrustFixtures.key().publicKey]).verify(
            image, in: LayoutEndpoint(layout), identity: identity)
        #expect(report.candidates.isEmpty)
        #expect(throws: TrustError.verificationFailed(image: image.digest, reasons: [])) { try report.requireVerified() }
    }
}
