// SPDX-License-Identifier: Apache-2.0

/// A manifest an archive lists at its top level (an image, or a referrer of one), with everything it needs.
struct ImportCandidate {
    /// The parsed manifest (its exact bytes included).
    var manifest: Manifest
    /// Everything to commit for it, dependencies first, the manifest itself last.
    var closure: [ArchiveFile]
    /// The tags it gets in the layout.
    var tags: [String]
    /// Its names in the archive (RepoTags, `io.containerd.image.name`).
    var names: [String]

    /// The manifest's content.
    var file: ArchiveFile { closure[closure.count - 1] }
    var digest: Digest { file.digest }
    /// A referrer: a manifest with a subject, or one under a cosign legacy tag (`sha256-<hex>.sig`, `.att`,
    /// `.sbom`). Not an image of its own for selection and `--tag`.
    var isReferrer: Bool { manifest.subject != nil || legacySubject != nil }
    /// The image a cosign legacy tag of this manifest names (its signature, attestation or SBOM).
    var legacySubject: Digest? { tags.lazy.compactMap(Referrer.cosignSubject(ofTag:)).first }
    /// The manifests this one refers to: its subject, or the image its cosign tag names.
    var subjects: [Digest] { [manifest.subject?.digest, legacySubject].compactMap { $0 } }

    /// How messages name it: its first name, else its digest.
    var label: String { names.first.map { "\($0) (\(digest))" } ?? digest.description }

    /// Adds `candidate` to `list`, merging tags and names with an entry for the same manifest.
    static func merge(_ candidate: ImportCandidate, into list: inout [ImportCandidate]) {
        guard let position = list.firstIndex(where: { $0.digest == candidate.digest }) else {
            list.append(candidate)
            return
        }
        for tag in candidate.tags where !list[position].tags.contains(tag) { list[position].tags.append(tag) }
        for name in candidate.names where !list[position].names.contains(name) { list[position].names.append(name) }
    }

    /// The tag part of a docker `NAME:TAG` (`latest` when there is none).
    /// - Throws: `LayoutError.archive` when `text` is not a valid docker name.
    static func tag(ofDockerName text: String, source: String) throws(LayoutError) -> String {
        do { return try ImageReference.DockerName(parsing: text).tag } catch {
            throw .archive("\(source) names the image '\(text)', which is not NAME:TAG (\(error))")
        }
    }

    /// The tag an `org.opencontainers.image.ref.name` annotation gives: the value when it is a tag, else the tag
    /// part of a full `NAME:TAG[@DIGEST]` as some tools write it.
    static func tag(ofRefName text: String) throws(LayoutError) -> String {
        if Names.isValidTag(text) { return text }
        let name = text.split(separator: "@", maxSplits: 1).first.map(String.init) ?? text
        return try tag(ofDockerName: name, source: "index.json")
    }

    /// A docker name in the form selections compare: `docker.io/library/alpine` and `alpine` are equal.
    static func normalizedDockerName(_ text: String) -> String? {
        guard let name = try? ImageReference.DockerName(parsing: text) else { return nil }
        var repository = name.repository
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] where repository.hasPrefix(prefix) {
            repository.removeFirst(prefix.count)
            break
        }
        if repository.hasPrefix("library/"), repository.split(separator: "/").count == 2 {
            repository.removeFirst("library/".count)
        }
        return "\(repository):\(name.tag)"
    }

    /// Whether this image is the one `selection` names.
    func matches(_ selection: ArchiveSelection) -> Bool {
        switch selection {
        case .tag(let tag):
            return tags.contains(tag)
        case .dockerName(let wanted):
            let target = ImportCandidate.normalizedDockerName(wanted.description)
            return names.contains { ImportCandidate.normalizedDockerName($0) == target }
        }
    }
}
