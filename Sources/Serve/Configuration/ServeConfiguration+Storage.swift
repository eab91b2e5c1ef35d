// SPDX-License-Identifier: Apache-2.0
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
    func makeStore() throws(ConfigurationError) -> Store {
        guard let storage else { return Store(root: root) }
        let backend: S3Store
        let refusal: String?
        do {
            backend = try S3Store.open(
                storage.url, endpoint: storage.endpoint, region: storage.region,
                stagingDirectory: Store(root: root).privateStateDirectory("tmp"))
            refusal = try backend.probe()
        } catch {
            throw ConfigurationError("storage (--storage): \(storage.url): \(error)")
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
        return lines
    }

    /// Reads `storage:` (`s3`, `endpoint`, `region`, `singleReplica`).
    static func readStorage(_ node: Node, _ reader: ConfigReader) throws(ConfigurationError) -> ObjectStore {
        let entries = try reader.mapping(node, "storage", allowed: ["s3", "endpoint", "region", "singleReplica"])
        guard let url = entries["s3"] else { throw reader.error(node, "'storage' needs 's3: s3://BUCKET/PREFIX'") }
        var store = ObjectStore(url: try reader.string(url, "storage.s3"))
        if let node = entries["endpoint"] { store.endpoint = try reader.string(node, "storage.endpoint") }
        if let node = entries["region"] { store.region = try reader.string(node, "storage.region") }
        if let node = entries["singleReplica"] { store.singleReplica = try reader.bool(node, "storage.singleReplica") }
        return store
    }
}
