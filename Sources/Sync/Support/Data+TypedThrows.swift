// SPDX-License-Identifier: Apache-2.0
import Foundation

extension Data {
    /// `withUnsafeBytes` for bodies with typed throws (Foundation's version rethrows `any Error`).
    func withTypedBytes<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = withUnsafeBytes { bytes in Result { () throws(E) -> T in try body(bytes) } }
        return try result.get()
    }
}
