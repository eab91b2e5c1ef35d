// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a docker save or oci-archive tarball into a layout.",
        discussion: """
            Reads `docker save` output (both the legacy form and the OCI form of docker 25+) and oci-archive
            tarballs, plain or gzip/zstd compressed, from a file or from standard input (-). Digests are those of
            the archive; importing the same archive twice adds nothing. Each image is tagged with its own tags
            (the TAG part of docker's RepoTags, or the archive's ref names) unless DEST names a tag. The archive is
            checked whole before anything becomes visible: a bad archive adds nothing. To import one image of a
            multi-image archive (with its referrers), name it as copy does: docker-archive:FILE:NAME:TAG or
            oci-archive:FILE:TAG.

            --require-signature KEY[,KEY] admits an air-gap bundle only if every image it brings has a valid
            signature by one of the keys (read from the same archive; any name, or --signature-identity REPO):
            one refused image refuses the archive, nothing of it is added, and the exit code is 4.

            Examples:
              docker save app:1.0 app:1.1 | ocitool import - ./images/app
              ocitool import app.tar.zst ./images/app:candidate
              ocitool import docker-archive:images.tar:app:1.1 ./images/app
              ocitool import --format json bundle.tar /srv/registry/team/app
              ocitool import --require-signature keys/release.pub bundle.tar /srv/app
            """.reflowed
    )

    @Argument(help: "The tarball (FILE, docker-archive:FILE[:NAME:TAG] or oci-archive:FILE[:TAG]), or - for standard input.")
    var file: String

    @Argument(help: "The destination layout: PATH or PATH:TAG (created when missing).")
    var destination: String

    @OptionGroup(title: "Admission gate") var trust: SignatureGateFlags

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard case .layout(let path, let selector) = try ImageReference(parsing: destination) else {
            throw LayoutError.invalidReference(destination, reason: "import writes into a layout (PATH[:TAG]); to push an archive to a registry, use 'ocitool copy'")
        }
        var options = ImportOptions()
        switch selector {
        case .tag(let tag): options.tag = tag
        case .digest: throw LayoutError.invalidReference(destination, reason: "the destination takes a tag, not a digest")
        case nil: break
        }
        let file = try selectImage(&options)
        options.gate = try trust.gate(for: .ociArchive(path: file, tag: nil))
        if file != "-", FileSystem.isDirectory(file) {
            throw LayoutError.invalidArgument("\(file) is a directory, not a tarball; to copy a layout, use 'ocitool copy'")
        }
        // The total is known for a plain tarball: its entries are most of its size.
        let plain = file != "-" && Compression(magic: FileSystem.firstBytes(of: file, count: 4)) == .none
        let progress = ProgressBar("importing", total: plain ? FileSystem.fileSize(file) : nil)
        options.progress = progress.cumulative
        let result = try NewLayout.with(at: path) { try $0.importArchive(from: file, options: options) }
        progress.finish()
        if output.json { return try Console.json(result) }
        for image in result.images {
            let tags = image.tags.isEmpty ? "(untagged)" : image.tags.map { "\(path):\($0)" }.joined(separator: ", ")
            Console.write("\(image.descriptor.digest)  \(tags)\n")
        }
        let layout = try OCILayout(at: path)
        for move in result.moved { Console.report(move, in: LayoutEndpoint(layout)) }
        // Referrers: a subject, or a cosign legacy tag (`sha256-<hex>.sig`) naming the image signed.
        let referrers = result.images.filter { image in
            image.descriptor.annotations?[Annotation.subject] != nil
                || image.tags.contains { Referrer.cosignSubject(ofTag: $0) != nil }
        }.count
        let images = counted(result.images.count - referrers, "image") + (referrers > 0 ? " and \(counted(referrers, "referrer"))" : "")
        Console.write(
            "imported \(images) from \(result.format): "
                + "\(counted(result.blobsAdded, "new blob")), \(formatBytes(result.bytesAdded))\n")
    }

    /// The archive path, with the image a `docker-archive:` or `oci-archive:` reference names put in `options`.
    private func selectImage(_ options: inout ImportOptions) throws -> String {
        guard file.hasPrefix("docker-archive:") || file.hasPrefix("oci-archive:") else { return file }
        switch try ImageReference(parsing: file) {
        case .dockerArchive(let path, let name):
            options.selection = name.map { .dockerName($0) }
            return path
        case .ociArchive(let path, let tag):
            options.selection = tag.map { .tag($0) }
            return path
        default:
            return file
        }
    }
}
