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
            --all (the whole index) or --platform (a new index with only those platforms) is given. Between
            layouts on one filesystem, blobs are hard-linked rather than copied.

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

    @Option(help: "Copy only referrers of this artifact type (repeatable).")
    var artifactType: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = ProgressBar("copying")
        let options = CopyOptions(
            all: all,
            platforms: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            referrers: !noReferrers, artifactTypes: artifactType.map(MediaType.init(rawValue:)),
            progress: progress.increments)
        let result = try ImageLocator.withImage(source) { (layout, descriptor) throws(LayoutError) in
            try copy(from: layout, descriptor, options: options)
        }
        progress.finish()
        if output.json { return try Console.json(result) }
        var line = "copied \(result.descriptor.digest) to \(destination): \(result.blobsCopied) blobs, "
            + "\(formatBytes(result.bytesCopied)), \(result.referrersCopied) referrers"
        if result.filteredIndex { line += " (new index: only the selected platforms, so a new digest)" }
        Console.write(line + "\n")
    }

    private func copy(from layout: OCILayout, _ descriptor: Descriptor, options: CopyOptions) throws(LayoutError)
        -> CopyResult
    {
        let sourceTag: String? = {
            if case .layout(_, .tag(let tag))? = try? ImageReference(parsing: source) { return tag }
            if case .ociArchive(_, let tag)? = try? ImageReference(parsing: source) { return tag }
            return nil
        }()
        switch try ImageReference(parsing: destination) {
        case .layout(let path, let selector):
            var tag = sourceTag
            if case .tag(let own) = selector { tag = own }
            if case .digest = selector {
                throw .invalidReference(destination, reason: "the destination takes a tag, not a digest")
            }
            let target = try OCILayout.create(at: path)
            return try copyImage(from: layout, descriptor, to: target, tag: tag, options: options)
        case .ociArchive(let path, let tag):
            return try copyToArchive(layout, descriptor, path: path, format: .ociArchive, tag: tag ?? sourceTag, name: nil, options: options)
        case .dockerArchive(let path, let name):
            return try copyToArchive(layout, descriptor, path: path, format: .dockerArchive, tag: nil, name: name, options: options)
        case .registry:
            throw .unsupported("registry destinations (docker://) are not supported by copy yet")
        }
    }

    /// Copies into a scratch layout (applying platform and referrer choices), then exports that.
    private func copyToArchive(
        _ layout: OCILayout, _ descriptor: Descriptor, path: String, format: ArchiveFormat, tag: String?,
        name: ImageReference.DockerName?, options: CopyOptions
    ) throws(LayoutError) -> CopyResult {
        // Inside the source layout, so blobs are hard-linked rather than copied.
        let scratch = "\(layout.path)/.ocitool/tmp/copy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let staging = try OCILayout.create(at: scratch)
        let result = try copyImage(from: layout, descriptor, to: staging, tag: nil, options: options)
        let item = ExportItem(layout: staging, descriptor: result.descriptor, tag: tag, dockerName: name)
        try exportArchive([item], to: path, options: ExportOptions(format: format, referrers: options.referrers))
        return result
    }
}
