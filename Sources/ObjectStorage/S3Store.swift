// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// A store's repositories in an S3 bucket (`S3Storage` says how one repository is kept): what `Store` asks of a
/// backend, so servers and the CLI reach a bucket through the same store as a directory tree.
///
/// A repository exists once its `repositories/<name>/index.json` does. Blobs being written are staged under a
/// local directory of this machine before they are uploaded.
public struct S3Store: RepositoryBackend {
    let client: S3Client
    /// Where blobs are staged while hashed (local).
    let stagingDirectory: String
    /// A local disk cache in front of blob reads, if any.
    public var cache: BlobCache?
    /// Whether the bucket was found to refuse bodies that do not hash to their signed payload hash (`probe`):
    /// only then are uploads whose digest the client named up front streamed straight to their key.
    public private(set) var verifiesPayloadHash = false

    /// - Parameters:
    ///   - location: the bucket, prefix and endpoint.
    ///   - credentials: the keys requests are signed with.
    ///   - stagingDirectory: a local directory for blobs on their way up (created when missing).
    /// - Throws: I/O errors creating `stagingDirectory`.
    public init(location: S3Location, credentials: S3Credentials, stagingDirectory: String) throws(LayoutError) {
        try FileSystem.makeDirectories(stagingDirectory)
        self.client = S3Client(location: location, credentials: credentials)
        self.stagingDirectory = stagingDirectory
    }

    /// Opens `s3://BUCKET[/PREFIX]` with the credentials every S3 tool reads (`S3Credentials.resolve`).
    /// - Parameters:
    ///   - url: `s3://BUCKET[/PREFIX]`.
    ///   - endpoint: the service's URL; nil: AWS's regional endpoint.
    ///   - region: nil: `AWS_REGION`, else `us-east-1`.
    ///   - stagingDirectory: a local directory for blobs on their way up.
    /// - Throws: `LayoutError.invalidReference` for a bad URL or endpoint, `.invalidArgument` without
    ///   credentials, I/O errors creating `stagingDirectory`. Nothing is sent to the bucket.
    public static func open(
        _ url: String, endpoint: String?, region: String?, stagingDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LayoutError) -> S3Store {
        let location = try S3Location(url, endpoint: endpoint, region: region, environment: environment)
        let credentials = try S3Credentials.resolve(environment: environment)
        return try S3Store(location: location, credentials: credentials, stagingDirectory: stagingDirectory)
    }

    /// The bucket and prefix, without a trailing `/`: `s3://bucket/prefix`.
    public var location: String {
        var text = client.location.description
        if text.hasSuffix("/") { text.removeLast() }
        return text
    }

    public func repositories() throws(LayoutError) -> [String] {
        let prefix = client.location.key("repositories/")
        let suffix = "/index.json"
        return try client.list(prefix: prefix).compactMap { (object) -> String? in
            guard object.key.hasSuffix(suffix) else { return nil }
            let name = String(object.key.dropFirst(prefix.count).dropLast(suffix.count))
            return (try? Store.validate(name)) != nil ? name : nil
        }.sorted()
    }

    public func hasRepository(_ name: String) throws(LayoutError) -> Bool {
        try client.head(client.location.key("repositories/\(name)/index.json")) != nil
    }

    public func storage(for name: String) -> any BlobStorage {
        let storage = S3Storage(client: client, repository: name, stagingDirectory: stagingDirectory)
        guard let cache else { return storage }
        return CachingBlobStorage(storage, cache: cache)
    }

    public func blobUsage() throws(LayoutError) -> (bytes: Int64, blobs: Int) {
        let blobs = try client.list(prefix: client.location.key("blobs/"))
        return (blobs.reduce(0) { $0 + $1.size }, blobs.count)
    }

    /// Blob objects no repository links are deleted once older than `grace`. Links are listed before the blobs'
    /// ages are looked at again, and a writer refreshes a blob it reuses before linking it (`S3Storage.commit`).
    public func sweepUnreferencedBlobs(grace: Double, now: Date) throws(LayoutError) -> [Digest] {
        let blobsPrefix = client.location.key("blobs/")
        let blobs = try client.list(prefix: blobsPrefix)
        var linked = Set<String>()
        for link in try client.list(prefix: client.location.key("repositories/")) {
            // repositories/<name>/blobs/<alg>/<hex>: no repository name has a `blobs` component.
            if let mark = link.key.range(of: "/blobs/") { linked.insert(String(link.key[mark.upperBound...])) }
        }
        var removed: [Digest] = []
        for blob in blobs {
            let name = String(blob.key.dropFirst(blobsPrefix.count))
            guard !linked.contains(name), let digest = try? Digest(name.replacingOccurrences(of: "/", with: ":")),
                let listed = S3Client.listingDate(blob.lastModified), now.timeIntervalSince(listed) >= grace,
                let current = try client.head(blob.key), let modified = current.lastModified,
                now.timeIntervalSince(modified) >= grace
            else { continue }
            try client.delete(blob.key)
            cache?.remove(digest)
            removed.append(digest)
        }
        return removed
    }

    /// Upload sessions live in the bucket too, so that a chunked upload can go on through any server.
    public var uploadArea: (any UploadArea)? {
        S3UploadArea(client: client, stagingDirectory: stagingDirectory, streamsNamedBlobs: verifiesPayloadHash)
    }

    /// Whether the bucket answers a read (a `HEAD` of a key that need not exist).
    public func isReadyForWrites() -> Bool {
        do {
            _ = try client.head(client.location.key("_probe/ready"))
            return true
        } catch {
            return false
        }
    }

    /// Checks that the bucket is reachable and writable, which conditional writes it honours, and whether it
    /// checks payload hashes (`verifiesPayloadHash`).
    /// - Returns: why several servers may not share the bucket, or nil when they may.
    /// - Throws: `LayoutError.io` when the bucket cannot be reached, read or written.
    public mutating func probe() throws(LayoutError) -> String? {
        let capabilities = try client.probe()
        verifiesPayloadHash = capabilities.verifiesPayloadHash
        return capabilities.sharedWritersRefusal
    }

    /// Creates the bucket (for tests and first set-up); succeeds when this account already owns it.
    /// - Throws: `LayoutError.io`.
    public func createBucket() throws(LayoutError) { try client.createBucket() }
}
