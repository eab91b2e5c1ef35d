// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy an image with its referrers between layouts and archives.",
        discussion: """
            Digests are preserved byte for byte. Referrers (signatures, SBOMs, attestations) come along unless
            --no-referrers. For a multi-platform index, the image for this machine's platform is copied unless
            --all (the whole index) or --platform (into a layout: a new index with only those platforms) is
            given. Between layouts on one filesystem, blobs are hard-linked rather than copied.

            Examples:
              ocitool copy ./build/app:1.0 ./release/app:1.0
              ocitool copy --all oci-archive:bundle.tar:1.0 /srv/registry/app:1.0
              ocitool copy --platform linux/arm64 ./build/app:1.0 ./edge/app:1.0
              ocitool copy ./release/app:1.0 docker-archive:app.tar:app:1.0
            """
    )

    @Argument(help: "The source: PATH:TAG, PATH@DIGEST, oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG].")
    var source: String

    @Argument(help: "The destination: PATH[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG].")
    var destination: String

    @Flag(help: "Copy every platform of an index.")
    var all = false

    @Option(help: "Copy only these platforms of an index (os/arch[/variant]; repeatable).")
    var platform: [String] = []

    @Flag(help: "Do not copy referrers.")
    var noReferrers = false

    @Option(help: "Copy only referrers of this artifact type (repeatable; into a layout).")
    var artifactType: [String] = []

    @OptionGroup var output: OutputOptions

    /// What the command reports, whichever way the copy went.
    struct Summary: Codable {
        var digest: Digest
        var destination: String
        var blobs: Int
        var bytes: Int64
        var referrers: Int
        var filteredIndex: Bool
    }

    func run() throws {
        let progress = ProgressBar("copying")
        let options = CopyOptions(
            all: all,
            platforms: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            referrers: !noReferrers, artifactTypes: artifactType.map(MediaType.init(rawValue:)),
            progress: progress.increments)
        let summary: Summary
        switch try ImageReference(parsing: destination) {
        case .layout(let path, let selector):
            if case .digest = selector {
                throw LayoutError.invalidReference(destination, reason: "the destination takes a tag, not a digest")
            }
            var tag = try sourceTag()
            if case .tag(let own) = selector { tag = own }
            summary = try copyIntoLayout(try OCILayout.create(at: path), tag: tag, options: options)
        case .ociArchive(let path, let tag):
            summary = try copyIntoArchive(path, format: .ociArchive, tag: tag ?? sourceTag(), name: nil, options: options)
        case .dockerArchive(let path, let name):
            summary = try copyIntoArchive(path, format: .dockerArchive, tag: nil, name: name, options: options)
        case .registry:
            throw LayoutError.unsupported("registry destinations (docker://) are not supported by copy yet")
        }
        progress.finish()
        if output.json { return try Console.json(summary) }
        var line = "copied \(summary.digest) to \(destination): \(summary.blobs) blobs, \(formatBytes(summary.bytes))"
            + ", \(summary.referrers) referrers"
        if summary.filteredIndex { line += " (new index: only the selected platforms, so a new digest)" }
        Console.write(line + "\n")
    }

    /// The source's own tag, which the destination keeps unless it names one.
    private func sourceTag() throws(LayoutError) -> String? {
        switch try ImageReference(parsing: source) {
        case .layout(_, .tag(let tag)): tag
        case .ociArchive(_, let tag): tag
        case .dockerArchive(_, let name): name?.tag
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
