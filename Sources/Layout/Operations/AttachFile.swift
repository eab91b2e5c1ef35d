// SPDX-License-Identifier: Apache-2.0

/// A file to attach to an image as one layer of an artifact.
public struct AttachFile: Sendable, Hashable {
    /// The file to read.
    public var path: String
    /// The layer's media type.
    public var mediaType: MediaType

    public init(path: String, mediaType: MediaType = "application/octet-stream") {
        self.path = path
        self.mediaType = mediaType
    }
}
