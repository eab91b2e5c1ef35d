// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout
import Sync
import Trust

struct Discover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Show the referrers of an image as a tree.",
        discussion: """
            Lists every artifact whose subject is IMAGE, and their own referrers (a signature of an SBOM), with
            artifact type, digest, size and annotations. For a registry they come from the referrers API, else
            the sha256-<hex> fallback tag, and cosign's .sig/.att/.sbom tags; for a layout or an OCI archive from
            index.json (subjects and cosign's tags). A docker archive holds none. Signatures and attestations
            are named as such, with their form (legacy, bundle, oci-referrer, notation), the key hint a bundle
            names and an attestation's predicate type (nothing is verified: see `ocitool verify`).

            Examples:
              ocitool discover ./images/app:1.0
              ocitool discover oci-archive:bundle.tar:1.0
              ocitool discover --plain-http docker://127.0.0.1:5000/team/app:1.0
              ocitool discover --artifact-type application/spdx+json --format json \\
                  ./images/app:1.0
            """.reflowed
    )

    @Argument(help: "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    @Option(help: "Only referrers of this artifact type.")
    var artifactType: String?

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func run() throws {
        let type = artifactType.map(MediaType.init(rawValue:))
        let (source, selector) = try ImageEndpoint.source(try ImageReference(parsing: image), registry: try registry.options())
        let descriptor = try source.resolve(selector)
        let tree = try source.referrerTree(of: descriptor.digest, artifactType: type)
        let nodes = tree.map { DiscoveredNode($0, in: source) }
        if output.json { return try Console.json(nodes) }
        Console.write("\(image)@\(descriptor.digest)\n")
        guard !tree.isEmpty else {
            Console.write("no referrers\(artifactType.map { " of type \($0)" } ?? "")\n")
            return
        }
        printNodes(nodes, prefix: "")
    }

    private func printNodes(_ nodes: [DiscoveredNode], prefix: String) {
        for (position, node) in nodes.enumerated() {
            let last = position == nodes.count - 1
            let descriptor = node.descriptor
            let type = descriptor.artifactType?.rawValue ?? descriptor.mediaType.rawValue
            Console.write("\(prefix)\(last ? "└── " : "├── ")\(type)  \(descriptor.digest)  \(formatBytes(descriptor.size))\n")
            let inner = prefix + (last ? "    " : "│   ")
            if let trust = node.trust { Console.write("\(inner)  \(DiscoveredNode.line(trust))\n") }
            for (key, value) in (descriptor.annotations ?? [:]).sorted(by: { $0.key < $1.key }) {
                Console.write("\(inner)  \(key)=\(value)\n")
            }
            printNodes(node.referrers, prefix: inner)
        }
    }
}

/// A referrer as discover shows it: Layout's tree node, plus what Trust reads of a signature or attestation.
///
/// Layout classifies referrers by media type alone; the key hint sits inside a Sigstore bundle and a `.att`
/// manifest's predicate types in its layers' annotations, formats that are Trust's. So discover (the CLI, which
/// may use every module) asks Trust's `SignatureSummary` about each node, and Layout stays free of Trust.
struct DiscoveredNode: Encodable {
    let descriptor: Descriptor
    let trust: SignatureSummary?
    let referrers: [DiscoveredNode]

    init(_ node: ReferrerNode, in source: any ImageSource) {
        descriptor = node.descriptor
        trust = SignatureSummary.of(node.descriptor, in: source)
        referrers = node.referrers.map { DiscoveredNode($0, in: source) }
    }

    /// `signature (bundle), key hint …` / `attestation (legacy, 2), predicate …`.
    static func line(_ summary: SignatureSummary) -> String {
        var text = "\(summary.role) (\(summary.kind.rawValue)\(summary.count.map { ", \($0)" } ?? ""))"
        if let hint = summary.keyHint { text += ", key hint \(hint)" }
        if let types = summary.predicateTypes, !types.isEmpty { text += ", predicate \(types.joined(separator: ", "))" }
        return text
    }
}
