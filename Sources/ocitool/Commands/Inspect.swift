// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an image's manifest, config, platforms, size and referrers.",
        discussion: """
            Examples:
              ocitool inspect ./images/app:1.0
              ocitool inspect --format json oci-archive:bundle.tar:1.0
              ocitool inspect --raw ./images/app@sha256:3c4e...   # exact manifest bytes
              ocitool inspect --plain-http docker://127.0.0.1:5000/team/app:1.0
            """.reflowed
    )

    @Argument(help: "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    @Flag(help: "Print the manifest's exact bytes (no newline added: pipe to sha256sum to check the digest).")
    var raw = false

    @Flag(help: "Print the config blob's exact bytes.")
    var config = false

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if raw, config { throw ValidationError("--raw and --config print different bytes: pick one") }
        if raw || config, output.json { throw ValidationError("--raw and --config print bytes, not JSON: drop --format json") }
    }

    func run() throws {
        if case .registry(let host, let repository, let selector) = try ImageReference(parsing: image) {
            return try inspectRemote(host: host, repository: repository, selector: selector)
        }
        try ImageLocator.withImage(image) { (layout, descriptor) throws(LayoutError) in
            if raw {
                Console.write(bytes: try layout.manifest(descriptor).bytes)
                return
            }
            if config {
                guard case .image(let manifest) = try layout.manifest(descriptor).kind else {
                    throw .invalidArgument("\(image) is an index and has no config; pick a platform's manifest by digest")
                }
                Console.write(bytes: try layout.readBlob(manifest.config.digest))
                return
            }
            let summary = try layout.summary(of: descriptor)
            if output.json {
                do { try Console.json(summary) } catch { throw .invalidArgument("cannot encode JSON: \(error)") }
                return
            }
            printText(summary)
        }
    }

    private func inspectRemote(host: String, repository: String, selector: ImageReference.Selector?) throws {
        let remote = RemoteRegistry(
            client: try registry.options().client(registry: host, repository: repository), repository: repository)
        let descriptor = try remote.resolve(selector)
        if raw { return Console.write(bytes: try remote.manifest(descriptor).bytes) }
        if config {
            guard case .image(let manifest) = try remote.manifest(descriptor).kind else {
                throw LayoutError.invalidArgument("\(image) is an index and has no config; pick a platform's manifest by digest")
            }
            return Console.write(bytes: try remote.client.fetchBlobData(repository, manifest.config.digest))
        }
        var tags: [String] = []
        if case .tag(let tag) = selector { tags = [tag] }
        let summary = try remote.summary(of: descriptor, tags: tags)
        if output.json { return try Console.json(summary) }
        printText(summary)
    }

    private func printText(_ summary: ImageSummary) {
        var lines = [
            "Digest:     \(summary.descriptor.digest)",
            "MediaType:  \(summary.descriptor.mediaType)",
        ]
        if !summary.tags.isEmpty { lines.append("Tags:       \(summary.tags.joined(separator: ", "))") }
        if let artifactType = summary.artifactType { lines.append("Artifact:   \(artifactType)") }
        if let platform = summary.platform { lines.append("Platform:   \(platform)") }
        if !summary.platforms.isEmpty {
            lines.append("Platforms:  \(summary.platforms.map(\.description).joined(separator: ", "))")
        }
        lines.append("Size:       \(formatBytes(summary.totalSize))")
        if let created = summary.config?.created { lines.append("Created:    \(created)") }
        if let subject = summary.subject { lines.append("Subject:    \(subject.digest)") }
        for (key, value) in (summary.annotations ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("Annotation: \(key)=\(value)")
        }
        if !summary.layers.isEmpty {
            lines.append("Layers:")
            for layer in summary.layers {
                lines.append("  \(layer.digest)  \(formatBytes(layer.size))  \(layer.mediaType)")
            }
        }
        if !summary.referrers.isEmpty {
            lines.append("Referrers:")
            for referrer in summary.referrers {
                lines.append("  \(referrer.digest)  \(referrer.artifactType?.rawValue ?? referrer.mediaType.rawValue)")
            }
        }
        Console.write(lines.joined(separator: "\n") + "\n")
    }
}
