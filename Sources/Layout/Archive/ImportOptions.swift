// SPDX-License-Identifier: Apache-2.0

/// How `OCILayout.importArchive(from:options:)` imports a tarball.
public struct ImportOptions: Sendable {
    /// Tag the image with this instead of the archive's own tags. Only when the archive (or the selection)
    /// holds exactly one image.
    public var tag: String?
    /// Import only one image of the archive, and tag it with the tag the selection names (or `tag`).
    public var selection: ArchiveSelection?
    /// Called with the cumulative number of entry bytes read, about every 4 MiB and once at the end.
    public var progress: (@Sendable (Int64) -> Void)?
    /// A check every image to import must pass, read from the archive with its signatures, before anything is
    /// committed (a required signature); one refusal refuses the whole archive. nil for none.
    public var gate: (any CopyGate)?

    /// - Parameters:
    ///   - tag: the tag to give the one imported image instead of the archive's tags.
    ///   - selection: the one image to import.
    ///   - progress: receives the bytes read so far.
    public init(
        tag: String? = nil, selection: ArchiveSelection? = nil, progress: (@Sendable (Int64) -> Void)? = nil,
        gate: (any CopyGate)? = nil
    ) {
        self.gate = gate
        self.tag = tag
        self.selection = selection
        self.progress = progress
    }
}

/// Which image of an archive to import.
public enum ArchiveSelection: Sendable, Hashable, CustomStringConvertible {
    /// The image whose `org.opencontainers.image.ref.name` (or RepoTag's tag part) is this tag
    /// (`oci-archive:FILE:TAG`).
    case tag(String)
    /// The image with this RepoTag or `io.containerd.image.name` (`docker-archive:FILE:NAME:TAG`).
    /// `docker.io/library/` prefixes are ignored when comparing.
    case dockerName(ImageReference.DockerName)

    public var description: String {
        switch self {
        case .tag(let tag): tag
        case .dockerName(let name): name.description
        }
    }
}
