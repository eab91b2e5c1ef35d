// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Layout
import Synchronization

/// The parts of one upload session on their way into its multipart upload, `jobs` at once on threads of their
/// own, while the session goes on receiving and hashing (a session that gets ahead waits: memory stays bounded).
///
/// Each part is sent with its SHA-256 as the signed payload hash, so the bucket refuses a part changed on the way.
/// The multipart upload is started by the first part that needs it. The first failure stops every later part and
/// is thrown by the next `submit` or `drain`.
final class S3PartQueue: @unchecked Sendable {
    private let client: S3Client
    private let key: String
    private let queue = DispatchQueue(label: "ocitool.s3.parts", attributes: .concurrent)
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let state: Mutex<State>

    private struct State {
        var uploadID: String?
        var uploaded: [S3Client.UploadedPart] = []
        var failure: LayoutError?
    }

    /// - Parameters:
    ///   - key: the object the parts assemble into.
    ///   - uploadID: its multipart upload, when one was started already.
    ///   - jobs: parts in flight at once.
    init(client: S3Client, key: String, uploadID: String?, jobs: Int) {
        self.client = client
        self.key = key
        self.slots = DispatchSemaphore(value: max(jobs, 1))
        self.state = Mutex(State(uploadID: uploadID))
    }

    /// The multipart upload, once started.
    var uploadID: String? { state.withLock { $0.uploadID } }

    /// Queues part `number`: its front is read back from `chunks` first, then it is uploaded.
    /// - Throws: the error of a failed earlier part.
    func submit(_ part: S3PartBuffer, number: Int, chunks: [S3UploadRecord.Chunk]) throws(LayoutError) {
        try check()
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            guard state.withLock({ $0.failure == nil }) else { return }
            do throws(LayoutError) {
                try part.fetch(chunks, from: client)
                let id = try startedUpload()
                let hash = Digest.sha256(of: part.bytes).encoded
                let uploaded = try client.uploadPart(
                    key, uploadID: id, number: number, bytes: part.bytes, payloadHash: hash)
                state.withLock { $0.uploaded.append(uploaded) }
            } catch {
                state.withLock { $0.failure = $0.failure ?? error }
            }
        }
    }

    /// Waits for every queued part.
    /// - Returns: the parts uploaded since the last drain, in order.
    /// - Throws: the first failure.
    func drain() throws(LayoutError) -> [S3Client.UploadedPart] {
        group.wait()
        try check()
        return state.withLock { (state) in
            defer { state.uploaded = [] }
            return state.uploaded.sorted { $0.number < $1.number }
        }
    }

    /// The multipart upload, started by the first part that asks (the others wait for it).
    private func startedUpload() throws(LayoutError) -> String {
        try state.withLock { (state) throws(LayoutError) -> String in
            if let id = state.uploadID { return id }
            let id = try client.createMultipartUpload(key)
            state.uploadID = id
            return id
        }
    }

    private func check() throws(LayoutError) {
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }
}
