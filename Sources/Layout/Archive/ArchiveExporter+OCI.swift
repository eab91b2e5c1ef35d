// SPDX-License-Identifier: Apache-2.0
import Foundation

/// oci-archive: a tar of an OCI image layout.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
///
/// Entries: `blobs/`, `blobs/<alg>/`, every blob of the closure once (`blobs/<alg>/<hex>`, content before the
/// manifests that reference it), then `index.json` and `oci-layout`, as skopeo and `docker save` order them.
/// index.json lists one entry per item (tagged with `org.opencontainers.image.ref.name` when the item has a
/// tag) and, with `referrers`, every referrer untagged with its artifact type, annotations and ocitool's
/// subject annotation, exactly as a layout's own index.json lists referrers.
extension ArchiveExporter {
    func planOCIArchive(_ items: [ExportItem]) throws(LayoutError) -> Plan {
        var closure = ContentClosure()
        var entries: [(entry: Descriptor, tag: String?)] = []
        for item in items {
            if let tag = item.tag { try Names.validateTag(tag) }
            var descriptor = item.descriptor
            var manifest = try item.layout.manifest(descriptor)
            while let platform = options.platform, case .index(let index) = manifest.kind {
                descriptor = try PlatformSelection.child(of: index, digest: descriptor.digest, matching: platform)
                manifest = try item.layout.manifest(descriptor)
            }
            try closure.addManifest(descriptor, from: item.layout)
            descriptor.mediaType = manifest.mediaType
            descriptor.size = Int64(manifest.bytes.count)
            descriptor.annotations?.removeValue(forKey: Annotation.refName)
            if descriptor.annotations?.isEmpty == true { descriptor.annotations = nil }
            entries.append((descriptor, item.tag))
        }
        try ArchiveExporter.checkUnique(
            entries.compactMap { entry in entry.tag.map { ($0, entry.entry.digest) } }, what: "tag")

        var index = ImageIndex(mediaType: .ociIndex, manifests: [])
        for (entry, tag) in entries {
            if let tag { index.setTag(tag, to: entry) } else { index.addUntagged(entry) }
        }
        var plan = Plan()
        plan.images = Set(entries.map(\.entry.digest)).count

        if options.referrers {
            let manifests = closure.blobs.filter(\.isManifest)
            var layouts: [OCILayout] = []
            for blob in manifests where !layouts.contains(blob.layout) { layouts.append(blob.layout) }
            for layout in layouts {
                let subjects = manifests.filter { $0.layout == layout }.map(\.descriptor.digest)
                for edge in try layout.referrerEdges(of: subjects) {
                    try closure.addManifest(edge.referrer, from: layout)
                    guard index.entries(for: edge.referrer.digest).isEmpty else { continue }
                    index.addUntagged(edge.indexEntry)
                    plan.referrers += 1
                }
            }
        }

        let algorithms = Set(closure.blobs.map(\.descriptor.digest.algorithm)).union([.sha256])
        plan.entries.append(.directory("blobs/"))
        for algorithm in DigestAlgorithm.allCases where algorithms.contains(algorithm) {
            plan.entries.append(.directory("blobs/\(algorithm.rawValue)/"))
        }
        for blob in closure.blobs {
            plan.entries.append(.blob(blob.descriptor.digest.blobPath, blob))
        }
        plan.entries.append(.file("index.json", try ArchiveExporter.encode(index)))
        plan.entries.append(.file("oci-layout", Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)))
        return plan
    }

    /// JSON that ocitool creates, with the one encoder.
    static func encode(_ value: some Encodable) throws(LayoutError) -> Data {
        do { return try JSONEncoder.ocitool.encode(value) } catch {
            throw .invalidArgument("cannot encode archive metadata: \(error)")
        }
    }
}
