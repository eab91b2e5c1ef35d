// SPDX-License-Identifier: Apache-2.0

/// What an export wrote.
public struct ExportResult: Codable, Sendable, Hashable {
    /// Images listed in the archive (index.json entries for the items, or manifest.json entries); referrers are
    /// counted separately.
    public var images: Int
    /// Referrer manifests included (oci-archive only).
    public var referrers: Int
    /// Blob files written, each counted once (manifests, configs and layers).
    public var blobs: Int
    /// Content bytes written: blobs plus metadata files, before archive compression.
    public var bytes: Int64
    /// The archive format.
    public var format: ArchiveFormat
    /// The destination (`-` for standard output).
    public var path: String

    public init(images: Int, referrers: Int = 0, blobs: Int, bytes: Int64, format: ArchiveFormat, path: String) {
        self.images = images
        self.referrers = referrers
        self.blobs = blobs
        self.bytes = bytes
        self.format = format
        self.path = path
    }
}
