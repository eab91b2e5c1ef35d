// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension Data {
    /// `withUnsafeBytes` for bodies with typed throws (Foundation's version rethrows `any Error`).
    public func withBytes<T, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> T) throws(Failure) -> T
    {
        let result: Result<T, Failure> = withUnsafeBytes { bytes in
            Result { () throws(Failure) -> T in try body(bytes) }
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
