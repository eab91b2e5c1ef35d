// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import OCICrypto

@Suite("Crypto: PEM")
struct PEMTests {
    @Test func roundTripsWith64ColumnLines() throws {
        let block = PEMBlock(type: "PUBLIC KEY", bytes: Array(0..<200))
        #expect(try PEMBlock(parsing: block.encoded) == block)
        #expect(block.encoded.split(separator: "\n").allSatisfy { $0.count <= 64 })
        #expect(block.encoded.hasSuffix("-----END PUBLIC KEY-----\n"))
    }

    @Test func ignoresTextBeforeTheBlockAndCRLF() throws {
        let text = "a comment\r\n" + Fixtures.sec1PublicKey.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try PEMBlock(parsing: text).type == "PUBLIC KEY")
    }

    @Test func truncatedPEMIsRejected() {
        let truncated = String(Fixtures.sec1PrivateKey.prefix(Fixtures.sec1PrivateKey.count / 2))
        #expect(throws: OCICryptoError.invalidPEM(
            "the 'EC PRIVATE KEY' block has no '-----END EC PRIVATE KEY-----' line (is the file truncated?)")
        ) { try PEMBlock(parsing: truncated) }
    }

    @Test func missingBeginLineIsRejected() {
        #expect(throws: OCICryptoError.invalidPEM("no '-----BEGIN …-----' line")) {
            try PEMBlock(parsing: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n")
        }
    }

    @Test func badBase64IsRejected() {
        let text = "-----BEGIN PUBLIC KEY-----\nnot*base64!\n-----END PUBLIC KEY-----\n"
        #expect(throws: OCICryptoError.invalidPEM("the body of the 'PUBLIC KEY' block is not valid base64")) {
            try PEMBlock(parsing: text)
        }
    }

    @Test func emptyBodyIsRejected() {
        #expect(throws: OCICryptoError.invalidPEM("the 'PUBLIC KEY' block is empty")) {
            try PEMBlock(parsing: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
        }
    }

    @Test func legacyEncryptedHeadersAreRejected() {
        let text = """
            -----BEGIN EC PRIVATE KEY-----
            Proc-Type: 4,ENCRYPTED
            DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF

            MHcCAQEE
            -----END EC PRIVATE KEY-----
            """
        #expect(throws: OCICryptoError.self) { try PEMBlock(parsing: text) }
        #expect(throws: OCICryptoError.self) { try PrivateKey(pem: text) }
    }

    @Test func mismatchedEndLineIsTruncation() {
        let text = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        #expect(throws: OCICryptoError.self) { try PEMBlock(parsing: text) }
    }
}
