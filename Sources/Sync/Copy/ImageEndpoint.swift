// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Opens the two ends of a copy from parsed references (`PATH[:TAG|@DIGEST]`, `docker://HOST/REPO[:TAG|@DIGEST]`).
/// Archives (`oci-archive:`, `docker-archive:`) are not endpoints: the CLI imports or exports them around a
/// layout, as it does for layout copies.
public enum ImageEndpoint {
    /// The source a reference names and the selector to resolve there (nil: the default, `latest` or the
    /// layout's only image).
    /// - Throws: `.layout(.layoutMissing)` for a missing layout, `.invalidArgument` for an archive or a malformed
    ///   auth file.
    public static func source(_ reference: ImageReference, registry options: RegistryOptions) throws(SyncError)
        -> (source: any ImageSource, selector: ImageReference.Selector?)
    {
        switch reference {
        case .layout(let path, let selector):
            return (LayoutEndpoint(try layoutCall { () throws(LayoutError) in try OCILayout(at: path) }), selector)
        case .registry(let host, let repository, let selector):
            return (try remote(host, repository, options), selector)
        case .ociArchive, .dockerArchive:
            throw .invalidArgument("\(reference) is an archive: import it into a layout first")
        }
    }

    /// The destination a reference names (a layout is created when missing) and its selector: the tag to set,
    /// or a digest the copied manifest must have. skopeo pushes to `latest` when a registry destination names
    /// neither; the caller decides.
    public static func destination(_ reference: ImageReference, registry options: RegistryOptions) throws(SyncError)
        -> (destination: any ImageDestination, selector: ImageReference.Selector?)
    {
        switch reference {
        case .layout(let path, let selector):
            return (LayoutEndpoint(try layoutCall { () throws(LayoutError) in try OCILayout.create(at: path) }), selector)
        case .registry(let host, let repository, let selector):
            return (try remote(host, repository, options), selector)
        case .ociArchive, .dockerArchive:
            throw .invalidArgument("\(reference) is an archive: copy into a layout and export it")
        }
    }

    private static func remote(_ host: String, _ repository: String, _ options: RegistryOptions) throws(SyncError)
        -> RemoteRegistry
    {
        RemoteRegistry(client: try options.client(registry: host, repository: repository), repository: repository)
    }
}
