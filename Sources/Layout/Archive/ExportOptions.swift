// SPDX-License-Identifier: Apache-2.0

/// The two archive formats ocitool reads and writes, named as skopeo's transports.
public enum ArchiveFormat: String, Sendable, Codable, CaseIterable {
    /// A tar of an OCI image layout (`oci-layout`, `index.json`, `blobs/`).
    case ociArchive = "oci-archive"
    /// The legacy `docker save` format (`manifest.json`, `<config>.json`, `<layer>/layer.tar`).
    case dockerArchive = "docker-archive"
}

/// How `exportArchive(_:to:options:)` writes an archive.
public struct ExportOptions: Sendable {
    /// The archive format.
    public var format: ArchiveFormat
    /// Compression of the whole archive (layers are stored as they are, compressed or not).
    public var compression: Compression
    /// oci-archive only: also export every referrer of every exported manifest, recursively (signatures of
    /// SBOMs), listed untagged in index.json. docker-archive cannot hold referrers and ignores this.
    public var referrers: Bool
    /// Which image of an index to export. oci-archive: nil exports the whole index; a platform exports only the
    /// matching child, as a plain image under the item's tag. docker-archive (which holds only images): nil
    /// means the host platform (`Platform.host`, linux/amd64 on x86_64).
    public var platform: Platform?
    /// Called with the number of bytes each time a chunk of content is written.
    public var progress: (@Sendable (Int64) -> Void)?
    /// Called once, before anything is written, with the total `progress` will reach.
    public var progressTotal: (@Sendable (Int64) -> Void)?

    public init(
        format: ArchiveFormat = .ociArchive, compression: Compression = .none, referrers: Bool = true,
        platform: Platform? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) {
        self.format = format
        self.compression = compression
        self.referrers = referrers
        self.platform = platform
        self.progress = progress
    }
}
