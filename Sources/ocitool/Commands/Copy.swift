// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy an image with its referrers between layouts, archives and registries.",
        discussion: """
            Digests are preserved byte for byte. Referrers (signatures, SBOMs, attestations) come along unless
            --no-referrers. For a multi-platform index, the image for this machine's platform is copied unless
            --all (the whole index) or --platform (into a layout: a new index with only those platforms) is
            given. Between layouts on one filesystem, blobs are read through their digests and hard-linked
            rather than copied.

            Registries (docker://HOST/REPO[:TAG|@DIGEST]) work on either side: blobs the destination has are
            skipped, blobs in another repository of the same registry are mounted, referrers go through the
            referrers API or the sha256-<hex> fallback tag, and the tag is set last. A destination without a tag
            takes the source's; a registry destination takes latest when the source has no tag or is itself a
            registry (as skopeo does).

            Examples:
              ocitool copy ./build/app:1.0 ./release/app:1.0
              ocitool copy ./build/app:1.0 docker://registry.local:5000/team/app:1.0
              ocitool copy --plain-http docker://127.0.0.1:5000/app:1.0 ./mirror/app:1.0
              ocitool copy --src-creds reader:pw --dest-creds writer:pw \\
                  docker://a.example/app:1.0 docker://b.example/app:1.0
              ocitool copy --all oci-archive:bundle.tar:1.0 /srv/registry/app:1.0
              ocitool copy --platform linux/arm64 ./build/app:1.0 ./edge/app:1.0
              ocitool copy ./release/app:1.0 docker-archive:app.tar:app:1.0
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

    @Option(help: "Copy only referrers of this artifact type (repeatable; into a layout).")
    var artifactType: [String] = []

    @Option(help: "How many blobs move at once.")
    var jobs = 4

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup(title: "Per-side registry options (override the above for one side)") var sides: SideRegistryFlags

    @OptionGroup(title: "Push options") var upload: UploadFlags

    @OptionGroup var output: OutputOptions

    /// What the command reports, whichever way the copy went.
    struct Summary: Codable {
        var digest: Digest
        var destination: String
        var blobs: Int
        var bytes: Int64
        var referrers: Int
        var filteredIndex: Bool
        var blobsMounted = 0
        var blobsSkipped = 0
    }

    func run() throws {
        let progress = ProgressBar("copying")
        let options = CopyOptions(
            all: all,
            platforms: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            referrers: !noReferrers, artifactTypes: artifactType.map(MediaType.init(rawValue:)),
            progress: progress.increments)
        let summary: Summary
        let sourceReference = try ImageReference(parsing: source)
        let destinationReference = try ImageReference(parsing: destination)
        if case .registry = sourceReference {
            summary = try copyThroughRegistry(sourceReference, destinationReference, options: options)
        } else if case .registry = destinationReference {
            summary = try copyThroughRegistry(sourceReference, destinationReference, options: options)
        } else {
            summary = try copyOffline(destinationReference, options: options)
        }
        progress.finish()
        if output.json { return try Console.json(summary) }
        var line = "copied \(summary.digest) to \(destination): \(counted(summary.blobs, "blob")), "
            + "\(formatBytes(summary.bytes)), \(counted(summary.referrers, "referrer"))"
        if summary.filteredIndex { line += " (new index: only the selected platforms, so a new digest)" }
        Console.write(line + "\n")
    }

    /// Between layouts and archives, no network.
    private func copyOffline(_ destinationReference: ImageReference, options: CopyOptions) throws -> Summary {
        switch destinationReference {
        case .layout(let path, let selector):
            if case .digest = selector {
                throw LayoutError.invalidReference(destination, reason: "the destination takes a tag, not a digest")
            }
            var tag = try sourceTag()
            if case .tag(let own) = selector { tag = own }
            return try NewLayout.with(at: path) { try copyIntoLayout($0, tag: tag, options: options) }
        case .ociArchive(let path, let tag):
            return try copyIntoArchive(path, format: .ociArchive, tag: tag ?? sourceTag(), name: nil, options: options)
        case .dockerArchive(let path, let name):
            return try copyIntoArchive(path, format: .dockerArchive, tag: nil, name: name, options: options)
        case .registry:
            preconditionFailure("registry destinations go through copyThroughRegistry")
        }
    }

    /// With a registry on one side (or both): the Sync engine. An archive on the other side goes through a
    /// scratch layout, imported before or exported after.
    private func copyThroughRegistry(
        _ sourceReference: ImageReference, _ destinationReference: ImageReference, options: CopyOptions
    ) throws -> Summary {
        let sourceOptions = try sides.source(registry)
        let destinationOptions = upload.applied(to: try sides.destination(registry))
        let defaultTag = try sourceTag()
        func run(_ source: any ImageSource, _ selector: ImageReference.Selector?) throws -> Summary {
            /// Into an archive: the image lands in a scratch layout (with its referrers when the format holds
            /// them), which is then exported.
            func exported(
                to path: String, referrers: Bool, _ export: ExportOptions, item: (OCILayout, Descriptor) -> ExportItem
            ) throws -> Summary {
                var copy = options
                copy.referrers = referrers
                return try ScratchLayout.with { (scratch) throws in
                    let sync = ImageSync(from: source, to: LayoutEndpoint(scratch), options: SyncOptions(copy, jobs: jobs))
                    let result = try sync.copy(selector, tag: nil)
                    try exportArchive([item(scratch, result.descriptor)], to: path, options: export)
                    return Summary(result, destination: destination)
                }
            }
            switch destinationReference {
            case .ociArchive(let path, let tag):
                return try exported(to: path, referrers: options.referrers, ExportOptions(referrers: options.referrers)) {
                    ExportItem(layout: $0, descriptor: $1, tag: tag ?? defaultTag)
                }
            case .dockerArchive(let path, let name):
                // A docker archive holds no referrers: they are not fetched.
                return try exported(to: path, referrers: false, ExportOptions(format: .dockerArchive)) {
                    ExportItem(layout: $0, descriptor: $1, dockerName: name)
                }
            case .layout, .registry:
                let (target, wanted) = try ImageEndpoint.destination(destinationReference, registry: destinationOptions)
                var tag = defaultTag
                // Registry to registry as skopeo does: a destination without a tag is latest.
                if case .registry = sourceReference, case .registry = destinationReference { tag = nil }
                if case .registry = destinationReference, tag == nil { tag = "latest" }
                if case .tag(let own) = wanted { tag = own }
                if case .digest = wanted { tag = nil }
                let result = try ImageSync(from: source, to: target, options: SyncOptions(options, jobs: jobs))
                    .copy(selector, tag: tag)
                if case .digest(let digest) = wanted, digest != result.descriptor.digest {
                    throw LayoutError.digestMismatch(expected: digest, actual: result.descriptor.digest)
                }
                return Summary(result, destination: destination)
            }
        }
        switch sourceReference {
        case .ociArchive, .dockerArchive:
            return try ScratchLayout.with { (scratch) throws in
                let image = try ImageLocator.importSelected(source, into: scratch)
                return try run(LayoutEndpoint(scratch), .digest(image.digest))
            }
        default:
            let (origin, selector) = try ImageEndpoint.source(sourceReference, registry: sourceOptions)
            return try run(origin, selector)
        }
    }

    /// The source's own tag, which the destination keeps unless it names one.
    private func sourceTag() throws(LayoutError) -> String? {
        switch try ImageReference(parsing: source) {
        case .layout(_, .tag(let tag)): tag
        case .ociArchive(_, let tag): tag
        case .dockerArchive(_, let name): name?.tag
        case .registry(_, _, .tag(let tag)): tag
        default: nil
        }
    }

    /// Into a layout: an archive source is imported into a staging layout inside the destination (blobs then
    /// move by hard link), so platform and referrer choices apply the same way as between layouts.
    private func copyIntoLayout(_ target: OCILayout, tag: String?, options: CopyOptions) throws(LayoutError) -> Summary {
        let result: CopyResult
        switch try ImageReference(parsing: source) {
        case .layout(let path, let selector):
            let layout = try OCILayout(at: path)
            result = try copyImage(from: layout, try layout.resolve(selector), to: target, tag: tag, options: options)
        case .ociArchive, .dockerArchive:
            result = try target.withStagingLayout { (staging) throws(LayoutError) -> CopyResult in
                let image = try ImageLocator.importSelected(source, into: staging)
                return try copyImage(from: staging, image, to: target, tag: tag, options: options)
            }
        case .registry:
            throw .unsupported("registry sources (docker://) are not supported by copy yet")
        }
        return Summary(
            digest: result.descriptor.digest, destination: destination, blobs: result.blobsCopied,
            bytes: result.bytesCopied, referrers: result.referrersCopied, filteredIndex: result.filteredIndex)
    }

    /// Into an archive: written straight from the source, no staging copy.
    private func copyIntoArchive(
        _ path: String, format: ArchiveFormat, tag: String?, name: ImageReference.DockerName?, options: CopyOptions
    ) throws(LayoutError) -> Summary {
        guard options.artifactTypes.isEmpty else {
            throw .invalidArgument("--artifact-type applies when copying into a layout; export writes every referrer")
        }
        guard options.platforms.count <= 1 else {
            throw .invalidArgument("an archive takes one platform of an index, or --all for the whole index")
        }
        let exportOptions = ExportOptions(
            format: format, referrers: options.referrers,
            platform: options.all ? nil : options.platforms.first ?? .host, progress: options.progress)
        return try ImageLocator.withImage(source) { (layout, descriptor) throws(LayoutError) -> Summary in
            let item = ExportItem(layout: layout, descriptor: descriptor, tag: tag, dockerName: name)
            let result = try exportArchive([item], to: path, options: exportOptions)
            return Summary(
                digest: descriptor.digest, destination: destination, blobs: result.blobs, bytes: result.bytes,
                referrers: result.referrers, filteredIndex: false)
        }
    }
}

extension Copy.Summary {
    init(_ result: SyncResult, destination: String) {
        self.init(
            digest: result.descriptor.digest, destination: destination, blobs: result.blobsCopied,
            bytes: result.bytesCopied, referrers: result.referrersCopied, filteredIndex: result.filteredIndex,
            blobsMounted: result.blobsMounted, blobsSkipped: result.blobsSkipped)
    }
}
