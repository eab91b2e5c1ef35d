// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import OCICrypto

@Suite("Crypto: PEM")
struct PEMTests {
    @Test func roundTrip() throws {
        let block = PEMBlock(type: "PUBLIC KEY", bytes: Array(0..<200))
        #expect(try PEMBlock(parsing: block.encoded) == block)
        #expect(block.encoded.split(separator: "\n").allSatisfy { $0.count <= 64 })
    }
}
