// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export images to an oci-archive or docker-archive tarball.",
        discussion: """
            An oci-archive holds every image with its referrers (signatures, SBOMs, attestations): the air-gap
            bundle. A docker-archive is loadable by `docker load` and `skopeo copy docker-archive:`; it holds one
            platform of each image and no referrers. The archive is written to a temporary file and renamed, so a
            failed export leaves nothing behind.

            Examples:
              ocitool export ./images/app:1.0 ./images/db:2.3 oci-archive:bundle.tar
              ocitool export --compress zstd ./images/app:1.0 bundle.tar.zst
              ocitool export ./images/app:1.0 docker-archive:app.tar:registry.local/app:1.0
              ocitool export ./images/app:1.0 - | ssh host ocitool import - /srv/app
              ocitool export --plain-http docker://127.0.0.1:5000/app:1.0 app.tar
            """.reflowed
    )

    @Argument(help: "Images (PATH:TAG, PATH@DIGEST, an archive or docker://HOST/REPO:TAG), then the destination: oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG], FILE or -.")
    var references: [String]

    @Option(help: "How to compress the archive.")
    var compress: Compression = .none

    @Flag(help: "Leave out referrers (oci-archive only).")
    var noReferrers = false

    @Option(help: "For indexes in a docker-archive: the platform to export (os/arch[/variant]).")
    var platform: String?

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard references.count >= 2 else { throw ValidationError("name at least one image and a destination") }
    }

    func run() throws {
        let sources = references.dropLast()
        let (format, path, destinationTag, dockerName) = try parseDestination(references[references.count - 1])
        if sources.count > 1, destinationTag != nil || dockerName != nil {
            throw LayoutError.invalidArgument("a tag on the destination needs exactly one source image")
        }
        var items: [ExportItem] = []
        for text in sources {
            let reference = try ImageReference(parsing: text)
            let (source, selector) = try ImageEndpoint.source(reference, registry: try registry.options())
            let tag = destinationTag ?? reference.tag
            var name = dockerName
            if name == nil, format == .dockerArchive, let tag, let repository = reference.repositoryName {
                name = try? ImageReference.DockerName(parsing: "\(repository.lowercased()):\(tag)")
            }
            items.append(ExportItem(source: source, descriptor: try source.resolve(selector), tag: tag, dockerName: name))
        }
        let progress = ProgressBar("exporting", enabled: Console.isInteractive && path != "-")
        var options = ExportOptions(
            format: format, compression: compress, referrers: !noReferrers,
            platform: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            progress: progress.increments)
        options.progressTotal = progress.totalKnown
        let result = try exportArchive(items, to: path, options: options)
        progress.finish()
        guard path != "-" else { return }
        if output.json { return try Console.json(result) }
        Console.write(
            "exported \(counted(result.images, "image")) (\(counted(result.blobs, "blob")), "
                + "\(formatBytes(result.bytes))) to \(result.format.rawValue):\(result.path)\n")
    }

    private func parseDestination(_ text: String) throws(LayoutError)
        -> (ArchiveFormat, String, String?, ImageReference.DockerName?)
    {
        guard text.hasPrefix("oci-archive:") || text.hasPrefix("docker-archive:") else {
            return (.ociArchive, text, nil, nil)
        }
        switch try ImageReference(parsing: text) {
        case .ociArchive(let path, let tag): return (.ociArchive, path, tag, nil)
        case .dockerArchive(let path, let name): return (.dockerArchive, path, nil, name)
        default: throw .invalidReference(text, reason: "expected oci-archive:FILE or docker-archive:FILE")
        }
    }
}

