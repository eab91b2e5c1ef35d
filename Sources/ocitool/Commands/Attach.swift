// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct Attach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach files to an image as an OCI 1.1 artifact (a referrer), in a layout or a registry.",
        discussion: """
            Stores the files as blobs and writes an artifact manifest whose subject is IMAGE, with the empty
            config descriptor, as oras attach does. In a layout the artifact is listed untagged in index.json, so
            `discover`, `copy`, `export` and `gc` all see it; in a registry without the referrers API it is added
            to the subject's sha256-<hex> fallback tag index. Attaching the same files with the same type and
            annotations again does nothing and names the artifact already there; --force attaches a second one
            (differing only in its creation time).

            Examples:
              ocitool attach --artifact-type application/spdx+json sbom.json ./app:1.0
              ocitool attach --artifact-type application/vnd.example.sig \\
                  --annotation signer=ci sig.bin ./images/app:1.0
              ocitool attach --artifact-type application/spdx+json sbom.json \\
                  docker://registry.example:5000/team/app:1.0
            """.reflowed
    )

    @Option(help: "The artifact type, e.g. application/spdx+json.")
    var artifactType: String

    @Option(help: "An annotation key=value for the artifact manifest (repeatable).")
    var annotation: [String] = []

    @Option(help: "The media type of the attached files.")
    var mediaType: String = "application/octet-stream"

    @Flag(help: "Attach even when an equal artifact (same type, files and annotations) is already attached.")
    var force = false

    @Argument(help: "Files to attach, then the image: PATH[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].")
    var arguments: [String]

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard arguments.count >= 1 else { throw ValidationError("name the image to attach to") }
        for pair in annotation where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("annotation '\(pair)' is not key=value")
        }
        for (option, value) in [("--artifact-type", artifactType), ("--media-type", mediaType)]
        where !MediaType(rawValue: value).isWellFormed {
            throw ValidationError(
                "\(option) '\(value)' is not a media type: type/subtype as RFC 6838 names them, e.g. application/spdx+json")
        }
    }

    func run() throws {
        let (repository, selector) = try ImageEndpoint.repository(
            try ImageReference(parsing: arguments[arguments.count - 1]), for: "attach", registry: try registry.options())
        let files = arguments.dropLast().map { AttachFile(path: $0, mediaType: MediaType(rawValue: mediaType)) }
        var annotations: [String: String] = [:]
        for pair in annotation {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            annotations[String(parts[0])] = String(parts[1])
        }
        let subject = try repository.resolve(selector)
        let attachment = try repository.attach(
            files, artifactType: MediaType(rawValue: artifactType), annotations: annotations, to: subject,
            reusingEquals: !force)
        let artifact = attachment.descriptor
        if output.json { return try Console.json(artifact) }
        if attachment.attached {
            Console.write("attached \(artifact.digest) (\(artifactType)) to \(subject.digest)\n")
        } else {
            Console.write(
                "already attached as \(artifact.digest) (\(artifactType), the same files and annotations) to "
                    + "\(subject.digest); --force attaches another\n")
        }
    }
}
