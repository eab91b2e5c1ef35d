// SPDX-License-Identifier: Apache-2.0
/// An OCI image layout as an image source or destination. Everything goes through Layout: blobs through
/// `BlobWriter` (hashed while written, verified, renamed into place), manifests through `putManifest`, so the
/// store's invariants hold whatever the other side sends.
public struct LayoutEndpoint: Sendable, CustomStringConvertible {
    /// The layout.
    public let layout: OCILayout

    /// The layout as a source or destination.
    public init(_ layout: OCILayout) { self.layout = layout }

    public var description: String { layout.path }
}
