// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout
import Sync

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Add tags to an image in its layout or registry.",
        discussion: """
            In a layout, safe to run concurrently: index.json is updated under a lock, so parallel tag runs all
            win. In a registry, the manifest's exact bytes are pushed under each tag (as crane tag does).

            Examples:
              ocitool tag ./images/app:1.4.2 1.4 stable
              ocitool tag ./images/app@sha256:3c4e... release
              ocitool tag docker://registry.example:5000/team/app:1.4.2 1.4 stable
            """.reflowed
    )

    @Argument(help: "The image: PATH[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    /// Unrecognized dashed words are collected too, so `tag IMAGE -rc1` gets a message about tags.
    @Argument(parsing: .allUnrecognized, help: "One or more tags to point at it.")
    var tags: [String]

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

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
        let (repository, selector) = try ImageEndpoint.repository(
            try ImageReference(parsing: image), for: "tag", registry: try registry.options())
        let descriptor = try repository.resolve(selector)
        for tag in tags {
            if let previous = try repository.tag(tag, to: descriptor) {
                Console.report(TagMove(tag: tag, from: previous, to: descriptor.digest), in: repository)
            } else {
                Console.write("\(repository):\(tag) -> \(descriptor.digest)\n")
            }
        }
    }
}

struct Untag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "untag",
        abstract: "Remove a tag; the image stays by digest (in a layout until `gc --untagged`).",
        discussion: """
            In a registry the tag is deleted with DELETE /v2/NAME/manifests/TAG, which some registries do not
            allow (they say so; `ocitool rm` then deletes the image with every tag on it).

            Examples:
              ocitool untag ./images/app:rc1
              ocitool untag docker://registry.example:5000/team/app:rc1
            """.reflowed
    )

    @Argument(help: "PATH:TAG or docker://HOST/REPO:TAG")
    var reference: String

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    func run() throws {
        let (repository, selector) = try ImageEndpoint.repository(
            try ImageReference(parsing: reference), for: "untag", registry: try registry.options())
        guard case .tag(let tag) = selector else {
            throw LayoutError.invalidReference(reference, reason: "name the tag to remove: PATH:TAG or docker://HOST/REPO:TAG")
        }
        let removed = try repository.untag(tag)
        Console.write("untagged \(repository):\(tag) (was \(removed.digest))\n")
    }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove an image (all its tags) from a layout or registry; `gc` then frees its blobs.",
        discussion: """
            The image's referrers (signatures, SBOMs, attestations) stay, untagged, unless --with-referrers
            removes them too (and their own referrers), listing each. In a registry the manifest is deleted by
            digest (the registry must allow deletes), and the registry's own garbage collection frees its blobs.

            Examples:
              ocitool rm ./images/app:old
              ocitool rm ./images/app@sha256:3c4e...
              ocitool rm --with-referrers ./images/app:old
              ocitool rm --with-referrers docker://registry.example:5000/team/app:old
            """.reflowed
    )

    @Flag(help: "Also remove everything that refers to the image (signatures, SBOMs, attestations, and theirs).")
    var withReferrers = false

    @Argument(help: "PATH:TAG, PATH@DIGEST, docker://HOST/REPO:TAG or docker://HOST/REPO@DIGEST")
    var reference: String

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    func run() throws {
        let (repository, selector) = try ImageEndpoint.repository(
            try ImageReference(parsing: reference), for: "rm", registry: try registry.options())
        let descriptor = try repository.resolve(selector)
        let removal = try repository.removeImage(descriptor.digest, withReferrers: withReferrers)
        let their = withReferrers ? "their" : "its"
        // A layout's blobs wait for `ocitool gc`; a registry frees them by its own garbage collection.
        let gc =
            repository.localLayout.map { (layout) in
                "'ocitool gc \(layout.path)' frees \(their) blobs once they are an hour old "
                    + "('--grace 0s' at once, when nothing else writes to the layout)"
            } ?? "the registry's garbage collection frees \(their) blobs"
        if withReferrers {
            Console.write("removed \(removal.digest)\(Remove.named(removal.tags))\n")
            for referrer in removal.referrers {
                Console.write("removed \(referrer.digest)  \(referrer.artifactType?.rawValue ?? referrer.mediaType.rawValue)\n")
            }
            Console.write("\(gc)\n")
            return
        }
        Console.write("removed \(removal.digest)\(Remove.named(removal.tags)); \(gc)\n")
        guard removal.referrersLeft > 0 else { return }
        let left = counted(removal.referrersLeft, "referrer")
        if let layout = repository.localLayout {
            Console.write(
                "left behind, untagged: \(left) of it; 'ocitool gc --untagged \(layout.path)' "
                    + "removes them ('ocitool rm --with-referrers' removes them with the image)\n")
        } else {
            Console.write("left behind, untagged: \(left) of it ('ocitool rm --with-referrers' removes them with the image)\n")
        }
    }

    private static func named(_ tags: [String]?) -> String {
        guard let tags, !tags.isEmpty else { return "" }
        return " (tags: \(tags.joined(separator: ", ")))"
    }
}
