// SPDX-License-Identifier: Apache-2.0
public import Layout
import ObjectStorage

/// The one entry point that opens any reference of skopeo's grammar as an endpoint: `PATH`/`oci:PATH`,
/// `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:NAME:TAG]` (Layout's `LocalEndpoint`) and
/// `docker://HOST/REPO[:TAG|@DIGEST]` (a `RemoteRegistry`), `s3://BUCKET[/PREFIX]/REPO[:TAG|@DIGEST]` (a layout
/// over the bucket: `S3Store.repository`).
public enum ImageEndpoint {
    /// The source a reference names and the selector to resolve there (nil: the default, `latest` or the
    /// only image; an archive's tag or name is part of the source).
    /// - Throws: `LayoutError.layoutMissing`/`.notALayout` for a missing layout, the archive's errors,
    ///   `SyncError.invalidArgument` for a malformed auth file.
    public static func source(_ reference: ImageReference, registry options: RegistryOptions) throws
        -> (source: any ImageSource, selector: ImageReference.Selector?)
    {
        switch reference {
        case .registry(let host, let repository, let selector): return (try remote(host, repository, options), selector)
        case .objectStore(let url, let selector): return (try bucket(url, options, create: false), selector)
        default: return try LocalEndpoint.source(reference)
        }
    }

    /// The destination a reference names (a layout is created when missing) and its selector: the tag to set,
    /// or a digest the copied manifest must have.
    public static func destination(_ reference: ImageReference, registry options: RegistryOptions) throws
        -> (destination: any ImageDestination, selector: ImageReference.Selector?)
    {
        switch reference {
        case .registry(let host, let repository, let selector): return (try remote(host, repository, options), selector)
        case .objectStore(let url, let selector): return (try bucket(url, options, create: true), selector)
        default: return try LocalEndpoint.destination(reference)
        }
    }

    /// The repository a reference names, for a command that re-tags, deletes or attaches (`command` names it
    /// in the error an archive gets: archives are written whole), and its selector.
    /// - Throws: `LayoutError.invalidArgument` naming the kinds `command` works on, for an archive;
    ///   `.layoutMissing`/`.notALayout`; `SyncError.invalidArgument` for a malformed auth file.
    public static func repository(_ reference: ImageReference, for command: String, registry options: RegistryOptions)
        throws -> (repository: any ImageRepository, selector: ImageReference.Selector?)
    {
        switch reference {
        case .registry(let host, let repository, let selector): return (try remote(host, repository, options), selector)
        case .objectStore(let url, let selector): return (try bucket(url, options, create: false), selector)
        default: return try LocalEndpoint.repository(reference, for: command)
        }
    }

    /// A repository in a bucket, as a layout endpoint.
    static func bucket(_ url: String, _ options: RegistryOptions, create: Bool) throws(LayoutError) -> LayoutEndpoint {
        LayoutEndpoint(
            try S3Store.repository(
                url, endpoint: options.s3Endpoint, region: options.s3Region, create: create,
                environment: options.environment))
    }

    private static func remote(_ host: String, _ repository: String, _ options: RegistryOptions) throws(SyncError)
        -> RemoteRegistry
    {
        RemoteRegistry(client: try options.client(registry: host, repository: repository), repository: repository)
    }
}
