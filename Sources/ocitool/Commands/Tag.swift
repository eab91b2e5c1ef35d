// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add tags to an image in its layout.",
        discussion: """
            Safe to run concurrently: index.json is updated under a lock, so parallel tag runs all win.

            Examples:
              ocitool tag ./images/app:1.4.2 1.4 stable
              ocitool tag ./images/app@sha256:3c4e... release
            """.reflowed
    )

    @Argument(help: "The image: PATH:TAG or PATH@DIGEST.")
    var image: String

    /// Unrecognized dashed words are collected too, so `tag IMAGE -rc1` gets a message about tags.
    @Argument(parsing: .allUnrecognized, help: "One or more tags to point at it.")
    var tags: [String]

    func validate() throws {
        guard !tags.isEmpty else { throw ValidationError("name at least one tag") }
        if let dashed = tags.first(where: { $0.hasPrefix("-") }) {
            throw ValidationError(
                "a tag cannot start with '-' (\(dashed)): tags start with a letter, digit or '_', then up to 127 of "
                    + "letters, digits, '_', '.' and '-'")
        }
    }

    func run() throws {
        for tag in tags { try Names.validateTag(tag) }  // all or none
        let (layout, descriptor) = try ImageLocator.image(image)
        for tag in tags {
            if let previous = try layout.tag(tag, to: descriptor) {
                Console.report(TagMove(tag: tag, from: previous, to: descriptor.digest), in: layout)
            } else {
                Console.write("\(layout.path):\(tag) -> \(descriptor.digest)\n")
            }
        }
    }
}

struct Untag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a tag; the image stays by digest until `gc --untagged`.",
        discussion: """
            Example:
              ocitool untag ./images/app:rc1
            """.reflowed
    )

    @Argument(help: "PATH:TAG")
    var reference: String

    func run() throws {
        let (path, selector) = try ImageLocator.layoutReference(reference)
        guard case .tag(let tag) = selector else {
            throw LayoutError.invalidReference(reference, reason: "name the tag to remove: PATH:TAG")
        }
        let removed = try OCILayout(at: path).untag(tag)
        Console.write("untagged \(path):\(tag) (was \(removed.digest))\n")
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove an image (all its tags) from a layout; `gc` then frees its blobs.",
        discussion: """
            The image's referrers (signatures, SBOMs, attestations) stay, untagged, unless --with-referrers
            removes them too (and their own referrers), listing each.

            Examples:
              ocitool rm ./images/app:old
              ocitool rm ./images/app@sha256:3c4e...
              ocitool rm --with-referrers ./images/app:old
            """.reflowed
    )

    @Flag(help: "Also remove everything that refers to the image (signatures, SBOMs, attestations, and theirs).")
    var withReferrers = false

    @Argument(help: "PATH:TAG or PATH@DIGEST")
    var reference: String

    func run() throws {
        let (layout, descriptor) = try ImageLocator.image(reference)
        let gc =
            "'ocitool gc \(layout.path)' frees \(withReferrers ? "their" : "its") blobs once they are an hour old "
            + "('--grace 0s' at once, when nothing else writes to the layout)"
        if withReferrers {
            let (tags, referrers) = try layout.removeManifestWithReferrers(descriptor.digest)
            Console.write("removed \(descriptor.digest)\(Remove.named(tags))\n")
            for referrer in referrers {
                Console.write("removed \(referrer.digest)  \(referrer.artifactType?.rawValue ?? referrer.mediaType.rawValue)\n")
            }
            Console.write("\(gc)\n")
            return
        }
        let left = Remove.count(try layout.referrerTree(of: descriptor.digest))
        let tags = try layout.removeManifest(descriptor.digest)
        Console.write("removed \(descriptor.digest)\(Remove.named(tags)); \(gc)\n")
        if left > 0 {
            Console.write(
                "left behind, untagged: \(counted(left, "referrer")) of it; 'ocitool gc --untagged \(layout.path)' "
                    + "removes them ('ocitool rm --with-referrers' removes them with the image)\n")
        }
    }

    /// The referrers in a tree, at every depth.
    private static func count(_ nodes: [ReferrerNode]) -> Int {
        nodes.reduce(0) { $0 + 1 + count($1.referrers) }
    }

    private static func named(_ tags: [String]) -> String {
        tags.isEmpty ? "" : " (tags: \(tags.joined(separator: ", ")))"
    }
}
