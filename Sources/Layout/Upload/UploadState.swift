// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// What an upload session keeps on disk next to its data (`state.json`), so that it survives a restart.
///
/// The data file is the authority for how many bytes were received: `offset` is what was written when the
/// state was last saved, and a resumed session takes the data file's size.
public struct UploadState: Codable, Sendable, Hashable {
    /// The session id (a lowercase UUID).
    public var id: String
    /// The repository the blob is pushed to.
    public var repository: String
    /// The hash algorithm the data is hashed with while it arrives.
    public var algorithm: DigestAlgorithm
    /// Bytes received when the state was saved.
    public var offset: Int64
    /// When the session started.
    public var created: Date
    /// The last request that used the session.
    public var lastActivity: Date

    public init(
        id: String, repository: String, algorithm: DigestAlgorithm, offset: Int64 = 0, created: Date = Date(),
        lastActivity: Date = Date()
    ) {
        self.id = id
        self.repository = repository
        self.algorithm = algorithm
        self.offset = offset
        self.created = created
        self.lastActivity = lastActivity
    }
}
