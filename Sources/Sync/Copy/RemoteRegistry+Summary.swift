// SPDX-License-Identifier: Apache-2.0
public import Layout

extension RemoteRegistry {
    /// Summarises a manifest of the repository for `inspect docker://…`, as Layout's `summary(of:)` does for
    /// a layout: kind, platform(s), config (an image config is fetched, verified and decoded leniently),
    /// layers, total size (each distinct blob once, child manifests fetched), artifact type, annotations,
    /// subject and referrers.
    /// - Parameters:
    ///   - descriptor: the manifest, e.g. from `resolve(_:)`.
    ///   - tags: the tags to report (a registry cannot say which tags point at a digest cheaply).
    public func summary(of descriptor: Descriptor, tags: [String] = []) throws(SyncError) -> ImageSummary {
        try ImageSummary(
            manifest: try manifest(descriptor), descriptor: descriptor, tags: tags,
            referrers: try referrers(of: descriptor.digest).map(\.descriptor),
            readConfig: { (config) throws(SyncError) in try client.fetchBlobData(repository, config.digest) },
            readManifest: { (child) throws(SyncError) in try manifest(child) })
    }
}
