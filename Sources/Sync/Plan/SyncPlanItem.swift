// SPDX-License-Identifier: Apache-2.0
public import Layout

/// What a sync does with one tag.
public struct SyncPlanItem: Sendable {
    /// Copy (and why) or skip, or why the tag cannot be planned.
    public enum Action: Sendable {
        /// The destination lacks the image under the tag, or some of its referrers.
        case copy(Reason)
        /// The destination's tag already holds the image and its referrers.
        case skip
        /// The tag could not be looked up.
        case fail(SyncError)
    }

    /// Why a tag is copied.
    public enum Reason: String, Sendable, Codable {
        /// The destination has no such tag.
        case new
        /// The destination's tag points at another manifest.
        case changed
        /// The destination's tag points at the same manifest, but referrers are missing.
        case referrers
    }

    /// The tag (the same on both sides).
    public var tag: String
    /// The source manifest under the tag, when it could be looked up.
    public var source: Descriptor?
    /// The digest the destination tag gets: the source's, or the platform image or filtered index a copy makes.
    public var target: Digest?
    /// What the destination tag points at before the sync.
    public var current: Digest?
    public var action: Action
}
