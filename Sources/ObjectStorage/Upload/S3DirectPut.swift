// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// A blob streamed straight to its key in one `PUT` as it arrives, when the client named its SHA-256 digest and
/// length before the first byte: the digest is the signed payload hash, so the bucket itself refuses bytes that
/// are not the blob's (`S3Capabilities.verifiesPayloadHash`), and the object appears whole or not at all. The
/// request's bytes are hashed once, by the bucket: no parts, no copy, no second pass here.
///
/// The `PUT` runs on a thread of its own, pulling from a `BlobPipe` the session writes into (a writer that gets
/// ahead waits: memory stays at the pipe's size).
final class S3DirectPut: @unchecked Sendable {
    private let pipe = BlobPipe()
    private let done = DispatchSemaphore(value: 0)
    /// Set by the `PUT`'s thread before it signals `done`.
    private var outcome: Result<S3Client.WriteOutcome, LayoutError>?
    private let digest: Digest
    private let bucket: String

    /// Starts the `PUT` of `length` bytes to `key`, create-if-absent.
    init(client: S3Client, key: String, digest: Digest, length: Int64) {
        self.digest = digest
        self.bucket = client.objectName(key)
        let thread = Thread { [self] in
            let result = Result { () throws(LayoutError) in
                try client.put(key, stream: pipe, length: length, payloadHash: digest.encoded, condition: .absent)
            }
            // A `PUT` that ended early stops the writer too.
            if case .failure = result { pipe.close() }
            outcome = result
            done.signal()
        }
        thread.name = "ocitool-s3-put"
        thread.start()
    }

    /// Hands bytes to the `PUT`, waiting while the pipe is full.
    /// - Throws: the `PUT`'s error when it ended early.
    func write(_ bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        do {
            try pipe.write(bytes)
        } catch {
            if case .failure(let failure) = finished() { throw failure }
            throw error
        }
    }

    /// Ends the body and waits for the bucket's answer.
    /// - Throws: `LayoutError.contentRefused` when the bucket found the bytes are not the digest's;
    ///   `.changedMeanwhile` when another push stored the blob first (its answer came before these bytes were
    ///   checked, so they prove nothing: the client pushes again, and the bytes go the way that hashes them);
    ///   the `PUT`'s other errors.
    func finish() throws(LayoutError) {
        pipe.finish(nil)
        switch finished() {
        case .success(.stored):
            return
        case .success(.preconditionFailed):
            throw .changedMeanwhile("blob \(digest) was stored by another push while this one streamed: push it again")
        case .failure(let error):
            if S3Client.isPayloadHashRefusal(error) {
                throw .contentRefused(digest, by: bucket)
            }
            throw error
        }
    }

    /// Abandons the `PUT` (the request broke off): nothing is stored.
    func abandon() {
        pipe.finish(LayoutError.cancelled)
        _ = finished()
    }

    private func finished() -> (Result<S3Client.WriteOutcome, LayoutError>) {
        done.wait()
        done.signal()
        return outcome!
    }
}
