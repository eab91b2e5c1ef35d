// SPDX-License-Identifier: Apache-2.0

/// How many blob upload sessions may be open at once (started and neither finished, cancelled nor expired): in
/// the whole store and in one repository. Past either, `UploadSessions.start` refuses with `.tooMany`.
///
/// Sessions a previous run left on disk count from the moment they are resumed.
public struct UploadLimits: Sendable, Hashable {
    /// Open sessions in the whole store.
    public var sessions: Int
    /// Open sessions of one repository.
    public var sessionsPerRepository: Int

    /// - Parameters:
    ///   - sessions: open sessions in the whole store (default 10,000).
    ///   - sessionsPerRepository: open sessions of one repository (default 1,000).
    public init(sessions: Int = 10_000, sessionsPerRepository: Int = 1_000) {
        self.sessions = sessions
        self.sessionsPerRepository = sessionsPerRepository
    }
}
