// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import ObjectStorage
import YAMLConfig
import Yams

extension ServeConfiguration {
    /// Repositories in an S3-compatible bucket instead of under `root` (`storage:`, `--storage`): several servers
    /// may share one bucket, and `root` then holds only this server's private state (upload sessions being
    /// received, scan results).
    public struct ObjectStore: Sendable, Equatable {
        /// `s3://BUCKET[/PREFIX]`.
        public var url: String
        /// The service's URL (`http[s]://HOST[:PORT]`, addressed path-style); nil: AWS's regional endpoint.
        public var endpoint: String?
        /// The region requests are signed for; nil: `AWS_REGION`, else `us-east-1`.
        public var region: String?
        /// Serve a bucket that ignores conditional writes (refused otherwise): safe only with one server.
        public var singleReplica: Bool
        /// A local disk cache of hot blobs (`cache: {dir, maxSize}`); nil: every blob GET reads the bucket.
        public var cache: Cache?
        /// Answer blob GETs with 307 to a presigned URL of the bucket's object, so clients read it directly.
        public var redirect = false
        /// Where the credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_PROFILE`,
        /// `AWS_SHARED_CREDENTIALS_FILE`) and `AWS_REGION` are read; nil: the process's environment. For a server
        /// embedded in a program whose keys are not its process's; never read from a file nor printed.
        public var environment: [String: String]?

        /// A directory of at most `maxSize` bytes of blobs, least recently used out first.
        public struct Cache: Sendable, Equatable {
            public var directory: String
            public var maxSize: Int64

            public init(directory: String, maxSize: Int64) {
                self.directory = directory
                self.maxSize = maxSize
            }
        }

        public init(url: String, endpoint: String? = nil, region: String? = nil, singleReplica: Bool = false) {
            self.url = url
            self.endpoint = endpoint
            self.region = region
            self.singleReplica = singleReplica
        }
    }

    /// The store to serve: the directory tree under `root`, or the bucket of `storage` probed first (reachable,
    /// writable, and honouring the conditional writes that let several servers share it).
    /// - Throws: `ConfigurationError` naming `storage` when the bucket cannot be opened or used.
    /// - Parameter observeCache: told of the blob cache's hits, misses, fills and evictions.
    func makeStore(observeCache: @escaping @Sendable (BlobCache.Event) -> Void = { _ in })
        throws(ConfigurationError) -> Store
    {
        guard let storage else { return Store(root: root) }
        var backend: S3Store
        let refusal: String?
        do {
            backend = try S3Store.open(
                storage.url, endpoint: storage.endpoint, region: storage.region,
                stagingDirectory: Store(root: root).privateStateDirectory("tmp"),
                environment: storage.environment ?? ProcessInfo.processInfo.environment)
            refusal = try backend.probe()
        } catch {
            throw ConfigurationError("storage (--storage): \(storage.url): \(error)")
        }
        if let cache = storage.cache {
            do {
                backend.cache = try BlobCache(directory: cache.directory, maxSize: cache.maxSize, observe: observeCache)
            } catch {
                throw ConfigurationError("storage.cache (--s3-cache): \(error)")
            }
        }
        if let refusal, !storage.singleReplica {
            throw ConfigurationError("storage (--storage): \(storage.url): \(refusal)")
        }
        return Store(root: root, backend: backend)
    }

    /// Checks `storage`'s URL, endpoint and region without reaching the bucket.
    func validateStorage() throws(ConfigurationError) {
        guard let storage else { return }
        do {
            _ = try S3Location(storage.url, endpoint: storage.endpoint, region: storage.region)
        } catch {
            throw ConfigurationError("storage (--storage): \(error)")
        }
    }

    /// `storage:` as `effectiveYAML` prints it (credentials are never part of it).
    func storageLines() -> [String] {
        guard let storage else { return ["# storage: none (repositories under root)"] }
        var lines = ["storage:", "  s3: \(Self.quote(storage.url))"]
        if let endpoint = storage.endpoint { lines.append("  endpoint: \(Self.quote(endpoint))") }
        if let region = storage.region { lines.append("  region: \(Self.quote(region))") }
        lines.append("  singleReplica: \(storage.singleReplica)")
        lines.append("  redirect: \(storage.redirect)")
        if let cache = storage.cache {
            lines += ["  cache:", "    dir: \(Self.quote(cache.directory))", "    maxSize: \(cache.maxSize)"]
        }
        return lines
    }

    /// A size in bytes: a plain number, or one with a binary unit (`512MiB`, `10GiB`, `1TiB`, `64KiB`).
    public static func byteCount(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            guard let number = Int64(text.dropLast(unit.count)), number > 0 else { return nil }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
            return overflow ? nil : bytes
        }
        return Int64(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// Reads `storage:` (`s3`, `endpoint`, `region`, `singleReplica`, `redirect`, `cache: {dir, maxSize}`).
    static func readStorage(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> ObjectStore {
        let entries = try reader.mapping(
            node, "storage", allowed: ["s3", "endpoint", "region", "singleReplica", "cache", "redirect"])
        guard let url = entries["s3"] else { throw reader.error(node, "'storage' needs 's3: s3://BUCKET/PREFIX'") }
        var store = ObjectStore(url: try reader.string(url, "storage.s3"))
        if let node = entries["endpoint"] { store.endpoint = try reader.string(node, "storage.endpoint") }
        if let node = entries["region"] { store.region = try reader.string(node, "storage.region") }
        if let node = entries["singleReplica"] { store.singleReplica = try reader.bool(node, "storage.singleReplica") }
        if let node = entries["redirect"] { store.redirect = try reader.bool(node, "storage.redirect") }
        if let node = entries["cache"] {
            let cache = try reader.mapping(node, "storage.cache", allowed: ["dir", "maxSize"])
            guard let dir = cache["dir"], let size = cache["maxSize"] else {
                throw reader.error(node, "'storage.cache' needs 'dir' and 'maxSize' (bytes, or with a unit: 10GiB)")
            }
            let text = try reader.string(size, "storage.cache.maxSize")
            guard let bytes = ServeConfiguration.byteCount(text) else {
                throw reader.error(size, "'storage.cache.maxSize' must be bytes, or a number with KiB, MiB, GiB or TiB")
            }
            store.cache = ObjectStore.Cache(directory: try reader.path(dir, "storage.cache.dir"), maxSize: bytes)
        }
        return store
    }
}
