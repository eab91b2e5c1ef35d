// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the tags of a layout, or the repositories of a store.",
        discussion: """
            On a layout, lists its tags with digests; untagged manifests (digest-only pushes, referrers) are
            counted. On any other directory, lists every layout below it as a repository name. A registry
            repository lists its tags (the tags API gives no digests: 'ocitool inspect' resolves one), a registry
            its catalog; s3://BUCKET/PREFIX lists the repositories of the store in that bucket.

            With --format json: a layout gives [{"tag", "digest", "mediaType", "size"}]; a store, a registry
            repository and a catalog give an array of names.

            Examples:
              ocitool ls ./images/app
              ocitool ls --format json /srv/registry
              ocitool ls --plain-http docker://127.0.0.1:5000/app   # a repository's tags
              ocitool ls --plain-http docker://127.0.0.1:5000       # a registry's catalog
              ocitool ls --s3-endpoint http://rgw:7480 s3://reg/prod   # a bucket's store
            """.reflowed
    )

    @Argument(help: "A layout directory, a store root, docker://HOST/REPO, docker://HOST, or s3://BUCKET[/PREFIX][/REPO].")
    var path: String

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    struct TagRow: Codable {
        var tag: String
        var digest: Digest
        var mediaType: MediaType
        var size: Int64
    }

    func run() throws {
        if let remote = path.dropPrefix("docker://") { return try listRemote(remote) }
        if path.hasPrefix("s3://") { return try listBucket() }
        guard let layout = try? OCILayout(at: path) else {
            guard FileSystem.isDirectory(path) else {
                throw FileSystem.exists(path) ? LayoutError.notALayout(path) : LayoutError.layoutMissing(path)
            }
            return try listRepositories(Store(root: path).repositories())
        }
        try listTags(of: layout)
    }

    private func listRepositories(_ repositories: [String]) throws {
        if output.json { return try Console.json(repositories) }
        for name in repositories { Console.write(name + "\n") }
    }

    private func listTags(of layout: OCILayout) throws {
        let index = try layout.readIndex()
        let rows = index.manifests.compactMap { entry in
            entry.refName.map { TagRow(tag: $0, digest: entry.digest, mediaType: entry.mediaType, size: entry.size) }
        }.sorted { $0.tag < $1.tag }
        if output.json { return try Console.json(rows) }
        Console.table(["TAG", "DIGEST", "TYPE"], rows.map { [$0.tag, $0.digest.description, kindName($0.mediaType)] })
        let untagged = Set(index.manifests.filter { $0.refName == nil }.map(\.digest)).count
        if untagged > 0 { Console.write("(\(counted(untagged, "untagged manifest")))\n") }
    }
}

extension List {
    /// `s3://BUCKET[/PREFIX]/REPO`: the repository's tags; a URL naming no repository: the store's repositories.
    private func listBucket() throws {
        switch try registry.s3.open(path) {
        case .repository(let layout): try listTags(of: layout)
        case .store(let store): try listRepositories(store.repositories())
        }
    }

    /// `docker://HOST/REPO`: the repository's tags; `docker://HOST`: the registry's catalog.
    private func listRemote(_ text: String) throws {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let host = parts.first else {
            throw LayoutError.invalidReference(path, reason: "expected docker://HOST[/REPOSITORY]")
        }
        let repository = parts.count == 2 && !parts[1].isEmpty ? parts[1] : nil
        if let repository { try Names.validateRepository(repository) }
        let client = try registry.options().client(registry: host, repository: repository)
        let names = try repository.map { try client.listTags($0) } ?? client.catalog()
        if output.json { return try Console.json(names) }
        for name in names { Console.write(name + "\n") }
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
}

/// A short name for a manifest media type.
func kindName(_ mediaType: MediaType) -> String {
    switch mediaType {
    case .ociManifest: "oci-image"
    case .ociIndex: "oci-index"
    case .dockerManifest: "docker-image"
    case .dockerManifestList: "docker-list"
    default: mediaType.rawValue
    }
}
