// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy an image with its referrers between layouts, archives and registries.",
        discussion: """
            Digests are preserved byte for byte. Referrers (signatures, SBOMs, attestations) come along unless
            --no-referrers. For a multi-platform index, the image for this machine's platform is copied unless
            --all (the whole index) or --platform (into a layout: a new index with only those platforms) is
            given. Between layouts on one filesystem, blobs are read through their digests and hard-linked
            rather than copied.

            Every pair of layouts, archives and registries (docker://HOST/REPO[:TAG|@DIGEST]) goes through one
            engine, so the counts are the same whichever way an image moves: blobs the destination has are
            skipped, blobs in another repository of the same registry are mounted, referrers go through the
            referrers API or the sha256-<hex> fallback tag, and the tag is set last. Archives are read in place
            and written as blobs arrive. A docker archive holds no referrers (the output says so). A destination
            without a tag takes the source's; a registry destination takes latest when the source has no tag or
            is itself a registry (as skopeo does). A destination @DIGEST stores the image untagged and fails unless
            the copy has that digest.

            --require-signature KEY[,KEY] promotes only signed images: the image (an index as a whole) must have a
            valid signature by one of the keys, in any form cosign or skopeo writes, naming the source repository
            (or --signature-identity REPO; any name for a layout or archive source); otherwise nothing is copied
            and the exit code is 4. Signatures (cosign's sha256-<hex>.sig/.att tags included) always come along.

            Examples:
              ocitool copy ./build/app:1.0 ./release/app:1.0
              ocitool copy ./build/app:1.0 docker://registry.local:5000/team/app:1.0
              ocitool copy --plain-http docker://127.0.0.1:5000/app:1.0 ./mirror/app:1.0
              ocitool copy --src-creds reader:pw --dest-creds writer:pw \\
                  docker://a.example/app:1.0 docker://b.example/app:1.0
              ocitool copy --all oci-archive:bundle.tar:1.0 /srv/registry/app:1.0
              ocitool copy --platform linux/arm64 ./build/app:1.0 ./edge/app:1.0
              ocitool copy ./release/app:1.0 docker-archive:app.tar:app:1.0
              ocitool copy --require-signature keys/release.pub \\
                  docker://staging.local/app:1.0 docker://prod.local/app:1.0
            """.reflowed
    )

    @Argument(help: "The source: PATH:TAG, PATH@DIGEST, oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO:TAG.")
    var source: String

    @Argument(help: "The destination: PATH[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG].")
    var destination: String

    @Flag(help: "Copy every platform of an index.")
    var all = false

    @Option(help: "Copy only these platforms of an index (os/arch[/variant]; repeatable).")
    var platform: [String] = []

    @Flag(help: "Do not copy referrers.")
    var noReferrers = false

    @Option(help: "Copy only referrers of this artifact type (repeatable).")
    var artifactType: [String] = []

    @Option(help: "How many blobs move at once.")
    var jobs = 4

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup(title: "Per-side registry options (override the above for one side)") var sides: SideRegistryFlags

    @OptionGroup(title: "Push options") var upload: UploadFlags

    @OptionGroup(title: "Promotion gate") var trust: SignatureGateFlags

    @OptionGroup var output: OutputOptions

    /// What the command reports, whichever way the copy went.
    struct Summary: Codable {
        var digest: Digest
        var destination: String
        var manifests: Int
        var blobs: Int
        var bytes: Int64
        var referrers: Int
        var filteredIndex: Bool
        var referrersOmitted: Bool
        var blobsMounted: Int
        var blobsLinked: Int
        var blobsSkipped: Int
    }

    func run() throws {
        let progress = ProgressBar("copying")
        let from = try ImageReference(parsing: source)
        let options = CopyOptions(
            all: all,
            platforms: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            referrers: !noReferrers, artifactTypes: artifactType.map(MediaType.init(rawValue:)),
            progress: progress.increments, jobs: jobs, gate: try trust.gate(for: from))
        let to = try ImageReference(parsing: destination)
        let (origin, selector) = try ImageEndpoint.source(from, registry: try sides.source(registry))
        let (tag, digest) = try destinationTag(from, to)
        let result = try NewLayout.with(for: to) {
            let (target, _) = try ImageEndpoint.destination(to, registry: upload.applied(to: try sides.destination(registry)))
            return try ImageCopy(from: origin, to: target, options: options).copy(selector, tag: tag)
        }
        if let digest, digest != result.descriptor.digest {
            throw LayoutError.digestMismatch(expected: digest, actual: result.descriptor.digest)
        }
        progress.finish()
        let summary = Summary(result, destination: destination)
        if output.json { return try Console.json(summary) }
        var line = "copied \(summary.digest) to \(destination): \(counted(summary.manifests, "manifest")), "
            + "\(counted(summary.blobs, "blob")), \(formatBytes(summary.bytes)), \(counted(summary.referrers, "referrer"))"
        if summary.filteredIndex { line += " (new index: only the selected platforms, so a new digest)" }
        if summary.referrersOmitted { line += " (a docker archive holds no referrers: none copied)" }
        Console.write(line + "\n")
    }

    /// The tag to set at the destination and the digest the copy must have: the destination's own tag, else
    /// the source's; `latest` for a registry destination without one (and always between registries, as skopeo
    /// does); a destination @DIGEST stores the image untagged and names the digest it must get.
    private func destinationTag(_ from: ImageReference, _ to: ImageReference) throws(LayoutError)
        -> (tag: String?, digest: Digest?)
    {
        switch to {
        case .layout(_, .digest(let digest)), .registry(_, _, .digest(let digest)), .objectStore(_, .digest(let digest)):
            return (nil, digest)
        case .layout(_, .tag(let tag)), .registry(_, _, .tag(let tag)), .ociArchive(_, .some(let tag)),
            .objectStore(_, .tag(let tag)):
            return (tag, nil)
        case .dockerArchive(_, .some(let name)): return (name.tag, nil)
        case .registry:
            if case .registry = from { return ("latest", nil) }
            return (from.tag ?? "latest", nil)
        case .layout, .ociArchive, .dockerArchive, .objectStore: return (from.tag, nil)
        }
    }
}

extension Copy.Summary {
    init(_ result: CopyResult, destination: String) {
        self.init(
            digest: result.descriptor.digest, destination: destination, manifests: result.manifestsCopied,
            blobs: result.blobsCopied, bytes: result.bytesCopied, referrers: result.referrersCopied,
            filteredIndex: result.filteredIndex, referrersOmitted: result.referrersOmitted,
            blobsMounted: result.blobsMounted, blobsLinked: result.blobsLinked, blobsSkipped: result.blobsSkipped)
    }
}
