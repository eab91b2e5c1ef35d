// SPDX-License-Identifier: Apache-2.0

/// Opens the references that live on this machine as endpoints: a layout (`PATH`, `oci:PATH`), an OCI archive
/// (`oci-archive:FILE[:TAG]`) or a docker archive (`docker-archive:FILE[:NAME:TAG]`). Registries and buckets are
/// Sync's (`ImageEndpoint`).
public enum LocalEndpoint {
    /// The source a reference names and the selector to resolve there (nil: the only image; an archive's tag
    /// or name is part of the source).
    /// - Throws: `.layoutMissing`/`.notALayout`, the archive's errors, `.invalidReference` for a registry.
    public static func source(_ reference: ImageReference) throws(LayoutError)
        -> (source: any ImageSource, selector: ImageReference.Selector?)
    {
        switch reference {
        case .layout(let path, let selector):
            return (LayoutEndpoint(try OCILayout(at: path)), selector)
        case .ociArchive(let path, let tag):
            return (try ArchiveSource(path: path), tag.map { .tag($0) })
        case .dockerArchive(let path, let name):
            return (try ArchiveSource(path: path), name.map { .tag($0.description) })
        case .registry, .objectStore:
            throw .invalidReference("\(reference)", reason: "a registry or a bucket is not a local endpoint")
        }
    }

    /// The layout a reference names as a repository whose images can be re-tagged and deleted, and its
    /// selector. `command` names the operation for the error an archive gets.
    /// - Throws: `.invalidArgument` naming the kinds `command` works on for an archive, `.layoutMissing`/
    ///   `.notALayout`, `.invalidReference` for a registry (Sync's `ImageEndpoint.repository` opens those).
    public static func repository(_ reference: ImageReference, for command: String) throws(LayoutError)
        -> (repository: any ImageRepository, selector: ImageReference.Selector?)
    {
        switch reference {
        case .layout(let path, let selector):
            return (LayoutEndpoint(try OCILayout(at: path)), selector)
        case .ociArchive, .dockerArchive:
            throw .invalidArgument(
                "\(command) works on a layout (PATH[:TAG|@DIGEST]) or a registry (docker://HOST/REPO[:TAG|@DIGEST]), "
                    + "not on \(reference)")
        case .registry, .objectStore:
            throw .invalidReference("\(reference)", reason: "a registry or a bucket is not a local endpoint")
        }
    }

    /// The destination a reference names (a layout is created when missing; an archive is written at the
    /// end of the copy) and its selector: the tag to set, or a digest the copied manifest must have.
    public static func destination(_ reference: ImageReference) throws(LayoutError)
        -> (destination: any ImageDestination, selector: ImageReference.Selector?)
    {
        switch reference {
        case .layout(let path, let selector):
            return (LayoutEndpoint(try OCILayout.create(at: path)), selector)
        case .ociArchive(let path, let tag):
            return (try ArchiveDestination(path: path, format: .ociArchive), tag.map { .tag($0) })
        case .dockerArchive(let path, let name):
            return (try ArchiveDestination(path: path, format: .dockerArchive, repository: name?.repository),
                    name.map { .tag($0.tag) })
        case .registry, .objectStore:
            throw .invalidReference("\(reference)", reason: "a registry or a bucket is not a local endpoint")
        }
    }
}
