// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Appends layers to cosign's `sha256-<hex>.sig` (or `.att`) manifest of a repository, as cosign does: the
/// manifest under the tag is read, the new layers appended (a layer already there is not added twice), and
/// the new manifest pushed and tagged.
///
/// Two signers must not lose each other's layers:
/// - in a layout, the tag moves under the layout's lock only if it still points at the manifest read
///   (compare-and-swap in `OCILayout.updateIndex`); otherwise the append starts again on the new manifest. The
///   manifest replaced leaves index.json (gc reclaims it), so a layout does not fill with stale signature
///   manifests;
/// - in a registry, which has no conditional manifest PUT, the tag is read back after the push, and again
///   twice after waiting twice as long as this append took (long enough for a signer that read the tag before
///   this push to have pushed its own): whenever the manifest under the tag lacks these layers, the append
///   starts again on top of it. Two signers at once thus both land; only a signer slower than that wait can
///   still erase another's layer (cosign's own spec calls tag-based signatures racy).
struct SignatureTagWriter {
    /// How many times an append starts again after losing a race.
    static let attempts = 8

    let repository: any ImageRepository
    /// Whether an existing layer with a new layer's digest (the same payload bytes) already is that
    /// signature (cosign's duplicate detection: the same payload, signed by the same key).
    let isDuplicate: (_ existing: Descriptor, _ payload: Data) -> Bool

    /// Appends `layers` (descriptor and payload bytes) under `tag`.
    /// - Returns: the manifest now under the tag.
    /// - Throws: `TrustError.malformed` when the existing manifest is not a signature manifest or would pass
    ///   cosign's layer limit; `.invalidArgument` after `attempts` lost races; the repository's errors.
    func append(_ layers: [(descriptor: Descriptor, payload: Data)], tag: String) throws -> Descriptor {
        precondition(!layers.isEmpty, "nothing to append")
        for _ in 0..<SignatureTagWriter.attempts {
            let started = ContinuousClock.now
            let base = try SignatureDiscovery.tagged(tag, in: repository)
            var signatures = CosignSignatureManifest(layers: [])
            if let base { signatures = try CosignSignatureManifest(try repository.manifest(base)) }
            let new = layers.filter { layer in
                !signatures.layers.contains { $0.digest == layer.descriptor.digest && isDuplicate($0, layer.payload) }
            }
            if new.isEmpty, let base { return base }
            signatures.layers += new.map(\.descriptor)
            guard signatures.layers.count <= CosignSignatureManifest.maxLayers else {
                throw TrustError.malformed(
                    "\(tag) already holds \(signatures.layers.count - new.count) signatures; cosign reads at most "
                        + "\(CosignSignatureManifest.maxLayers) per manifest")
            }
            let source = try MemorySource(
                manifest: signatures.bytes, blobs: [signatures.config] + new.map(\.payload), fallback: repository)
            if let layout = repository.localLayout {
                if let stored = try swapInLayout(layout, source: source, signatures: signatures, base: base, tag: tag) {
                    return stored
                }
            } else if let stored = try pushToRegistry(
                source: source, layers: new.map(\.descriptor), tag: tag, settle: ContinuousClock.now - started)
            {
                return stored
            }
        }
        throw TrustError.invalidArgument(
            "\(tag) kept changing while signing (\(SignatureTagWriter.attempts) tries): another signer is writing it; try again")
    }

    /// Writes the blobs and the manifest into the layout, then moves the tag if it still points at `base`.
    /// - Returns: the new manifest's descriptor, nil when the tag moved meanwhile.
    private func swapInLayout(
        _ layout: OCILayout, source: MemorySource, signatures: CosignSignatureManifest, base: Descriptor?, tag: String
    ) throws -> Descriptor? {
        for (_, data) in source.blobs { _ = try layout.writeBlob(data) }
        _ = try layout.writeBlob(source.content.bytes, expected: source.content.digest)
        let entry = Descriptor(
            mediaType: source.content.mediaType, digest: source.content.digest, size: Int64(source.content.bytes.count))
        let swapped = try layout.updateIndex { (index) throws(LayoutError) -> Bool in
            guard index.entry(tagged: tag)?.digest == base?.digest else { return false }
            try layout.checkReferences(of: source.content)
            index.setTag(tag, to: entry)
            if let old = base?.digest, old != entry.digest, index.entries(for: old).allSatisfy({ $0.refName == nil }) {
                index.removeManifest(old)
            }
            return true
        }
        return swapped ? entry : nil
    }

    /// Pushes the manifest under the tag, then reads the tag back: at once, then twice after waiting twice
    /// `settle` (how long reading and pushing took this time).
    /// - Returns: the manifest under the tag, nil when another signer's manifest without `layers` replaced it.
    private func pushToRegistry(source: MemorySource, layers: [Descriptor], tag: String, settle: Duration) throws
        -> Descriptor?
    {
        try ImageCopy(from: source, to: repository, options: CopyOptions(referrers: false)).copy(source.descriptor, tag: tag)
        let wait = max(settle * 2, .milliseconds(50))
        var current: Descriptor?
        for check in 0..<3 {
            if check > 0 { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            guard let now = try SignatureDiscovery.tagged(tag, in: repository) else { return nil }
            if now.digest != source.content.digest {
                let manifest = try CosignSignatureManifest(try repository.manifest(now))
                guard layers.allSatisfy({ manifest.layers.contains($0) }) else { return nil }
            }
            current = now
        }
        return current
    }
}
