// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The state of one `ImageCopy`: counters and the blobs already handled, shared by the worker threads.
final class CopyRun: Sendable {
    let source: any ImageSource
    let destination: any ImageDestination
    let options: CopyOptions
    let counters = Locked(Counters())
    /// Blobs already transferred or found present in this run (referrers share configs with each other).
    let handled = Locked<Set<Digest>>([])

    struct Counters {
        var blobsCopied = 0
        var bytesCopied: Int64 = 0
        var blobsMounted = 0
        var blobsLinked = 0
        var blobsSkipped = 0
        var manifestsCopied = 0
        var referrersCopied = 0
    }

    init(source: any ImageSource, destination: any ImageDestination, options: CopyOptions) {
        self.source = source
        self.destination = destination
        self.options = options
    }

    func copy(_ descriptor: Descriptor, tag: String?) throws -> CopyResult {
        let manifest = try source.manifest(descriptor)
        let top: (descriptor: Descriptor, manifest: Manifest)
        let subjects: [Digest]
        var filtered = false
        switch manifest.kind {
        case .index(let index) where !options.all && PlatformSelection.hasPlatforms(index):
            if options.platforms.isEmpty {
                let child = try PlatformSelection.child(of: index, digest: descriptor.digest, matching: .host)
                return try copy(child, tag: tag)
            }
            (top, subjects) = try copyFiltered(index, of: manifest, digest: descriptor.digest)
            filtered = true
        default:
            subjects = try copyClosure(descriptor, manifest, role: .root).manifests
            top = (descriptor, manifest)
        }
        let referrersKept = source.holdsReferrers && destination.keepsReferrers
        if options.referrers && referrersKept { try copyReferrers(of: subjects) }
        if let tag { try destination.putManifest(top.manifest, digest: top.descriptor.digest, as: .tagged(tag)) }
        let counted = counters.current
        let stored = Descriptor(
            mediaType: top.manifest.mediaType, digest: top.descriptor.digest, size: Int64(top.manifest.bytes.count),
            artifactType: top.manifest.artifactType)
        return CopyResult(
            descriptor: stored, manifestsCopied: counted.manifestsCopied, blobsCopied: counted.blobsCopied,
            bytesCopied: counted.bytesCopied, blobsMounted: counted.blobsMounted, blobsLinked: counted.blobsLinked,
            blobsSkipped: counted.blobsSkipped, referrersCopied: counted.referrersCopied, filteredIndex: filtered,
            referrersOmitted: options.referrers && !referrersKept)
    }

    /// Copies the children of `index` matching the platforms, then stores a new index holding only them.
    /// - Returns: the new index and the digests of the manifests copied (referrer subjects).
    private func copyFiltered(_ index: ImageIndex, of manifest: Manifest, digest: Digest) throws
        -> ((descriptor: Descriptor, manifest: Manifest), [Digest])
    {
        let (children, generated) = try CopyRun.filtered(index, of: manifest, digest: digest, platforms: options.platforms)
        var plan = ClosurePlan()
        for child in children { try plan.add(child, try source.manifest(child), from: source) }
        try transfer(plan)
        try putManifest(generated, digest: generated.digest, as: .root)
        return ((generated.descriptor, generated), plan.manifests.map(\.descriptor.digest))
    }

    /// The children of `index` for `platforms` (each platform must match one) and the new index holding only
    /// them, in the index's media type.
    static func filtered(_ index: ImageIndex, of manifest: Manifest, digest: Digest, platforms: [Platform])
        throws(LayoutError) -> (children: [Descriptor], index: Manifest)
    {
        for platform in platforms { _ = try PlatformSelection.child(of: index, digest: digest, matching: platform) }
        let children = PlatformSelection.children(of: index, matching: platforms)
        var filtered = index
        filtered.mediaType = manifest.mediaType
        filtered.manifests = children
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(filtered) } catch {
            throw .manifestInvalid("cannot encode the filtered index: \(error)")
        }
        return (children, try Manifest(bytes: bytes, declared: manifest.mediaType))
    }

    /// Copies a manifest's closure and stores the manifest itself in `role`.
    /// - Returns: the digests of every manifest copied (referrer subjects), and whether the destination did not
    ///   have the manifest before.
    func copyClosure(_ descriptor: Descriptor, _ manifest: Manifest, role: ManifestRole) throws
        -> (manifests: [Digest], stored: Bool)
    {
        var plan = ClosurePlan()
        try plan.add(descriptor, manifest, from: source)
        let stored = try transfer(plan, topRole: role)
        return (plan.manifests.map(\.descriptor.digest), stored)
    }

    /// Stores a manifest; returns whether the destination did not have it.
    @discardableResult
    func putManifest(_ manifest: Manifest, digest: Digest, as role: ManifestRole) throws -> Bool {
        guard try destination.putManifest(manifest, digest: digest, as: role) else { return false }
        counters.withLock { $0.manifestsCopied += 1 }
        return true
    }
}
