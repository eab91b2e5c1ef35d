// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
import TestSupport
import Trust

@testable import ocitool

/// The issue's bad signatures and keys through the binary: one error line each, exit 4 for what does not
/// verify, 1 for a key that cannot be used, in bounded time, nothing written.
@Suite("CLI: sign and verify, bad input")
struct TrustBadInputCLITests {
    /// A `.sig` manifest of `count` layers over one payload, each signature forged by another key.
    static func plantForgedSignatures(_ count: Int, in layout: OCILayout, for image: Descriptor) throws {
        let forger = try PrivateKey.generate()
        let payload = SimpleSigningPayload(dockerReference: TrustCLITests.identity, manifestDigest: image.digest).bytes
        let (digest, size) = try layout.writeBlob(payload)
        let signature = Data(try forger.sign(Array(payload))).base64EncodedString()
        let layers = (0..<count).map { index in
            Descriptor(
                mediaType: TrustMediaTypes.simpleSigning, digest: digest, size: size,
                annotations: [TrustMediaTypes.signatureAnnotation: signature, "n": "\(index)"])
        }
        let manifest = CosignSignatureManifest(layers: layers)
        _ = try layout.writeBlob(manifest.config)
        try layout.putManifest(manifest.bytes, mediaType: .ociManifest, tag: CosignSignatureManifest.signatureTag(of: image.digest))
    }

    @Test(arguments: [(1000, "(1000 candidates)"), (10_000, "10000 layers, more than cosign's limit of 1000")])
    func manySignaturesFailInBoundedTimeWithOneLine(count: Int, expected: String) throws {
        try TrustCLITests.withSignedSetup { directory in
            let layout = try OCILayout(at: directory + "/app")
            let image = try layout.resolve(.tag("v1"))
            try Self.plantForgedSignatures(count, in: layout, for: image)
            let index = try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json"))
            let clock = ContinuousClock()
            let start = clock.now
            let result = try CLIRunner.run(
                ["verify", "--key", directory + "/cosign.pub", "--identity", TrustCLITests.identity, directory + "/app:v1"])
            #expect(clock.now - start < .seconds(30))
            #expect(result.status == 4)
            let errors = result.stderr.split(separator: "\n")
            #expect(errors.count == 1, "\(result.stderr)")
            #expect(errors.first?.hasPrefix("error: no valid signature for \(image.digest)") == true)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json")) == index)
        }
    }

    /// A key whose scrypt parameters are outside cosign's: refused before scrypt runs, exit 1, nothing signed.
    @Test func keyWithUnsupportedKDFParameters() throws {
        try TrustCLITests.withSignedSetup { directory in
            let pem = try String(contentsOfFile: directory + "/cosign.key", encoding: .utf8)
            let lines = pem.split(separator: "\n")
            let body = Data(base64Encoded: lines.dropFirst().dropLast().joined()) ?? Data()
            let edited = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""N":65536"#, with: #""N":1048576"#)
            let encoded = Data(edited.utf8).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            let (begin, end) = (try #require(lines.first), try #require(lines.last))
            try "\(begin)\n\(encoded)\n\(end)\n".write(toFile: directory + "/big.key", atomically: true, encoding: .utf8)
            let index = try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json"))
            let result = try TrustCLITests.sign(["--key", directory + "/big.key", "--identity", TrustCLITests.identity, directory + "/app:v1"])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: unsupported key derivation: scrypt N=1048576"), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/app/index.json")) == index)
        }
    }

    @Test func verificationErrorsMapToExitCodes() {
        let digest = Digest.sha256(of: Data("x".utf8))
        #expect(ErrorReport(TrustError.verificationFailed(image: digest, reasons: [])).exitCode == 4)
        #expect(ErrorReport(TrustError.verificationFailed(image: digest, reasons: [])).hint?.contains("ocitool sign") == true)
        #expect(ErrorReport(TrustError.verificationFailed(image: digest, reasons: ["r"])).hint == nil)
        #expect(ErrorReport(TrustError.tooManyCandidates(image: digest, found: 2000, limit: 1000)).exitCode == 4)
        #expect(ErrorReport(TrustError.invalidArgument("x")).exitCode == 2)
        #expect(ErrorReport(TrustError.keyFile(path: "k", reason: "r")).exitCode == 1)
        #expect(ErrorReport(TrustError.malformed("m")).exitCode == 1)
    }
}
