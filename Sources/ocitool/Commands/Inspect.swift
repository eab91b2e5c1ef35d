// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
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
        let (source, selector) = try ImageEndpoint.source(try ImageReference(parsing: image), registry: try registry.options())
        let descriptor = try source.resolve(selector)
        if raw { return Console.write(bytes: try source.manifest(descriptor).bytes) }
        if config {
            guard case .image(let manifest) = try source.manifest(descriptor).kind else {
                throw LayoutError.invalidArgument("\(image) is an index and has no config; pick a platform's manifest by digest")
            }
            return Console.write(bytes: try source.blobData(manifest.config))
        }
        var tags = try source.tags(of: descriptor.digest)
        if tags.isEmpty, case .tag(let tag) = selector { tags = [tag] }
        let summary = try ImageSummary(of: descriptor, in: source, tags: tags)
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
