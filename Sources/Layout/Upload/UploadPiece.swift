// SPDX-License-Identifier: Apache-2.0

/// Bytes an upload session may keep until it has written them: a server's network buffer, a gathered array.
///
/// The session hashes a piece as it arrives and writes it on a thread of its own meanwhile, so it holds on to the
/// piece (which must not change) until the write is done.
public protocol UploadPiece: Sendable {
    /// The number of bytes.
    var count: Int { get }

    /// Calls `body` with the bytes.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result
}

extension [UInt8]: UploadPiece {
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeBytes(body)
    }
}
