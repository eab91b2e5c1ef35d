// SPDX-License-Identifier: Apache-2.0
public import Layout

/// One repository to mirror: a source and a destination repository (each a registry repository,
/// `docker://HOST/REPO`, or a layout directory), how to reach them, which tags, and what of each image.
public struct SyncJob: Sendable {
    /// `.registry(host:repository:selector: nil)` or `.layout(path:selector: nil)`.
    public var source: ImageReference
    /// The same forms; a missing layout is created (except in a dry run).
    public var destination: ImageReference
    /// Credentials, TLS and plain HTTP for the source registry.
    public var sourceRegistry: RegistryOptions
    /// The same for the destination registry.
    public var destinationRegistry: RegistryOptions
    /// Which tags.
    public var filter: TagFilter
    /// Platforms, referrers and artifact types, progress (as `ocitool copy` takes them).
    public var copy: CopyOptions

    /// - Throws: `.invalidArgument` when a reference names a tag, a digest or an archive: a sync works on
    ///   whole repositories.
    public init(
        source: ImageReference, destination: ImageReference, sourceRegistry: RegistryOptions = RegistryOptions(),
        destinationRegistry: RegistryOptions = RegistryOptions(), filter: TagFilter = .all,
        copy: CopyOptions = CopyOptions()
    ) throws(SyncError) {
        try SyncJob.requireRepository(source, side: "source")
        try SyncJob.requireRepository(destination, side: "destination")
        self.source = source
        self.destination = destination
        self.sourceRegistry = sourceRegistry
        self.destinationRegistry = destinationRegistry
        self.filter = filter
        self.copy = copy
    }

    private static func requireRepository(_ reference: ImageReference, side: String) throws(SyncError) {
        switch reference {
        case .registry(_, _, nil), .layout(_, nil), .objectStore(_, nil): return
        case .objectStore(let url, _):
            throw .invalidArgument("the \(side) \(reference) names an image: sync takes a repository (\(url)) and filters its tags")
        case .registry(let host, let repository, _):
            throw .invalidArgument(
                "the \(side) \(reference) names an image: sync takes a repository (docker://\(host)/\(repository)) and filters its tags with --tag-regex, --semver or --latest")
        case .layout(let path, _):
            throw .invalidArgument("the \(side) \(reference) names an image: sync takes a layout directory (\(path)) and filters its tags")
        case .ociArchive, .dockerArchive:
            throw .invalidArgument("the \(side) \(reference) is an archive: sync works between registries and layouts")
        }
    }

    /// `docker://HOST/REPO` or the layout's path.
    public var sourceName: String { SyncJob.name(source) }
    /// `docker://HOST/REPO` or the layout's path.
    public var destinationName: String { SyncJob.name(destination) }

    static func name(_ reference: ImageReference) -> String {
        if case .layout(let path, _) = reference { return path }
        return reference.description
    }
}
