// SPDX-License-Identifier: Apache-2.0

/// One referrer of a manifest and, nested, the referrers of that referrer (e.g. an SBOM and the signature
/// on the SBOM), as `ocitool discover` shows them.
public struct ReferrerNode: Codable, Sendable, Hashable {
    /// The referrer as the referrers API lists it: media type, digest, size, artifact type, annotations.
    public var descriptor: Descriptor
    /// The referrers whose subject is this referrer.
    public var referrers: [ReferrerNode]

    public init(descriptor: Descriptor, referrers: [ReferrerNode] = []) {
        self.descriptor = descriptor
        self.referrers = referrers
    }

    /// This node and every node below it, depth first.
    public var flattened: [ReferrerNode] { [self] + referrers.flatMap(\.flattened) }

    /// The referrers of a manifest and, recursively, their referrers (signatures of SBOMs), as a tree.
    ///
    /// The `artifactType` filter applies to the top level only: asking for SBOMs gives each SBOM with
    /// everything attached to it (its signatures, whatever their type). The walk is cycle-safe: a manifest
    /// already on the path from the root is not expanded again (cycles can only come from hand-made
    /// `sha256-<hex>` fallback indexes, since a digest cannot cover itself).
    /// - Parameters:
    ///   - digest: the subject.
    ///   - artifactType: keep only direct referrers of this artifact type.
    ///   - depth: how many levels to return; 1 gives the direct referrers only, 0 nothing.
    ///   - referrers: the referrers of one manifest, in the order to show them (a layout's index.json, a
    ///     registry's referrers API).
    /// - Returns: the direct referrers, each with its own referrers nested.
    public static func tree<Failure: Error>(
        of digest: Digest, artifactType: MediaType? = nil, depth: Int = 8,
        referrers: (Digest) throws(Failure) -> [Descriptor]
    ) throws(Failure) -> [ReferrerNode] {
        var path: Set<Digest> = [digest]
        func level(below digest: Digest, depth: Int, top: Bool) throws(Failure) -> [ReferrerNode] {
            guard depth > 0 else { return [] }
            var nodes: [ReferrerNode] = []
            for referrer in try referrers(digest) where !path.contains(referrer.digest) {
                if top, let artifactType, referrer.artifactType != artifactType { continue }
                path.insert(referrer.digest)
                let below = try level(below: referrer.digest, depth: depth - 1, top: false)
                path.remove(referrer.digest)
                nodes.append(ReferrerNode(descriptor: referrer, referrers: below))
            }
            return nodes
        }
        return try level(below: digest, depth: depth, top: true)
    }
}

/// One edge found while walking referrers: `referrer` has `subject` as its subject.
struct ReferrerEdge {
    let subject: Digest
    let referrer: Descriptor

    /// The descriptor an index.json lists for the referrer: as the referrers API gives it, plus ocitool's
    /// subject annotation, so the referrer is found again without opening it.
    var indexEntry: Descriptor {
        var entry = referrer
        entry.annotations = (entry.annotations ?? [:]).merging([Annotation.subject: subject.description]) { $1 }
        entry.annotations?.removeValue(forKey: Annotation.refName)
        return entry
    }
}
