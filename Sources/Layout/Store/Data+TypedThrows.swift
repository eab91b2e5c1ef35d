// SPDX-License-Identifier: Apache-2.0
import Foundation

extension Data {
    /// `withUnsafeBytes` for bodies with typed throws (Foundation's version rethrows `any Error`).
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws(LayoutError) -> T) throws(LayoutError) -> T {
        let result: Result<T, LayoutError> = withUnsafeBytes { bytes in
            Result { () throws(LayoutError) -> T in try body(bytes) }
        }
        return try result.get()
    }

    /// `withUnsafeMutableBytes` for bodies with typed throws.
    mutating func withMutableBytes<T>(_ body: (UnsafeMutableRawBufferPointer) throws(LayoutError) -> T)
        throws(LayoutError) -> T
    {
        let result: Result<T, LayoutError> = withUnsafeMutableBytes { bytes in
            Result { () throws(LayoutError) -> T in try body(bytes) }
        }
        return try result.get()
    }
}
