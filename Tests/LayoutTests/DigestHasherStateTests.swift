// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

/// A hasher's saved state: hashing that stops in one process and goes on in another (an upload continued by
/// another server) gives the digest of the whole content, and a state that does not fit is refused.
@Suite("Digest hasher state")
struct DigestHasherStateTests {
    /// FIPS 180-2's "abc" vectors, so the low-level contexts are checked against published digests.
    @Test func publishedVectors() {
        #expect(
            Digest.sha256(of: Data("abc".utf8)).encoded
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hasher = DigestHasher(.sha512)
        hasher.update(Data("abc".utf8))
        #expect(
            hasher.finalize().encoded
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    /// Every split point class: inside the first block, on a block boundary, past several blocks, and empty.
    @Test(arguments: [DigestAlgorithm.sha256, .sha512], [0, 1, 63, 64, 65, 127, 128, 129, 1000, 4097])
    func resumedHashingEqualsOneShot(algorithm: DigestAlgorithm, split: Int) throws {
        let content = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let whole = DigestHasher(algorithm)
        whole.update(content)
        let expected = whole.finalize()
        let first = DigestHasher(algorithm)
        first.update(content.prefix(split))
        let resumed = try DigestHasher(resuming: first.state, count: Int64(split))
        #expect(resumed.algorithm == algorithm)
        resumed.update(content.dropFirst(split))
        #expect(resumed.finalize() == expected)
        // Reading the state leaves the first hasher going.
        first.update(content.dropFirst(split))
        #expect(first.finalize() == expected)
    }

    @Test func statesThatDoNotFitAreRefused() throws {
        let hasher = DigestHasher()
        hasher.update(Data(repeating: 1, count: 100))
        let state = hasher.state
        #expect(throws: LayoutError.self) { try DigestHasher(resuming: state, count: 99) }
        #expect(throws: LayoutError.self) { try DigestHasher(resuming: Array(state.dropLast()), count: 100) }
        #expect(throws: LayoutError.self) { try DigestHasher(resuming: [9] + state.dropFirst(), count: 100) }
        #expect(throws: LayoutError.self) { try DigestHasher(resuming: [], count: 0) }
    }
}
