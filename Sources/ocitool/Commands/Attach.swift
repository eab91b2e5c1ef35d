// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout

struct Attach: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attach files to an image as an OCI 1.1 artifact (a referrer).",
        discussion: """
            Stores the files as blobs and writes an artifact manifest whose subject is IMAGE, with the empty
            config descriptor, as oras does. The artifact is listed untagged in index.json, so `discover`,
            `copy`, `export` and `gc` all see it.

            Examples:
              ocitool attach --artifact-type application/spdx+json sbom.json ./app:1.0
              ocitool attach --artifact-type application/vnd.example.sig \\
                  --annotation signer=ci sig.bin ./images/app:1.0
            """.reflowed
    )

    @Option(help: "The artifact type, e.g. application/spdx+json.")
    var artifactType: String

    @Option(help: "An annotation key=value for the artifact manifest (repeatable).")
    var annotation: [String] = []

    @Option(help: "The media type of the attached files.")
    var mediaType: String = "application/octet-stream"

    @Argument(help: "Files to attach, then the image: PATH:TAG or PATH@DIGEST.")
    var arguments: [String]

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard arguments.count >= 1 else { throw ValidationError("name the image to attach to") }
        for pair in annotation where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("annotation '\(pair)' is not key=value")
        }
    }

    func run() throws {
        let (layout, subject) = try ImageLocator.image(arguments[arguments.count - 1])
        let files = arguments.dropLast().map { AttachFile(path: $0, mediaType: MediaType(rawValue: mediaType)) }
        var annotations: [String: String] = [:]
        for pair in annotation {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            annotations[String(parts[0])] = String(parts[1])
        }
        let artifact = try layout.attach(
            files, artifactType: MediaType(rawValue: artifactType), annotations: annotations, to: subject)
        if output.json { return try Console.json(artifact) }
        Console.write("attached \(artifact.digest) (\(artifactType)) to \(subject.digest)\n")
    }
}
