// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import Logging
import Testing

@testable import ObjectStorage
@testable import Serve

/// A store and a registry application over it: a directory tree in a new temporary directory, or (`.s3`) a new
/// prefix of a bucket with the temporary directory as the server's private state.
struct ServeFixture {
    let root: String
    /// The bucket prefix served, for `.s3`.
    let storage: ServeConfiguration.ObjectStore?
    /// The store the server serves, opened as the CLI opens it: what requests left behind is checked through it.
    let store: Store

    var kind: StorageKind { storage == nil ? .file : .s3 }

    /// A store under a new temporary directory.
    init() {
        let root = Self.makeRoot()
        self.init(root: root, storage: nil, store: Store(root: root))
    }

    /// A store of `kind`.
    /// - Throws: for `.s3`, when the test process's Ceph cannot be started or its bucket made.
    init(_ kind: StorageKind) async throws {
        let root = Self.makeRoot()
        switch kind {
        case .file: self.init(root: root, storage: nil, store: Store(root: root))
        case .s3:
            let (storage, store) = try await StorageKind.newBucketStore(privateState: root)
            self.init(root: root, storage: storage, store: store)
        }
    }

    private init(root: String, storage: ServeConfiguration.ObjectStore?, store: Store) {
        self.root = root
        self.storage = storage
        self.store = store
    }

    private static func makeRoot() -> String {
        let root = TestScratch.directory("ocitool-serve").path
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    /// Removes the root. A bucket prefix stays until the test process's cluster is removed, when it exits.
    func remove() { try? FileManager.default.removeItem(atPath: root) }

    func configuration(_ configure: (inout ServeConfiguration) -> Void = { _ in }) -> ServeConfiguration {
        var configuration = ServeConfiguration(root: root, port: 0)
        configuration.storage = storage
        configure(&configuration)
        return configuration
    }

    /// Runs `body` against a new application over the store (in-process; `.live` uses a loopback socket).
    func run<Value: Sendable>(
        _ setup: TestingSetup = .router, configure: (inout ServeConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "ServeTests")
        logger.logLevel = .warning
        let app = try buildApplication(configuration(configure), logger: logger)
        return try await app.test(setup, body)
    }

    /// Whether anything of repository `name` was written: a directory under the root, or any object under the
    /// repository's prefix in the bucket (not only a finished repository's index).
    func holdsAnything(of name: String) throws -> Bool {
        guard let bucket = store.backend as? S3Store else {
            return FileManager.default.fileExists(atPath: root + "/" + name)
        }
        return try !bucket.client.list(prefix: bucket.client.location.key("repositories/\(name)/")).isEmpty
    }

    /// Flips the last bit of a stored blob (at most 1 MiB) behind the server's back, as a failing disk or a bucket
    /// edited by hand would.
    /// - Returns: the corrupted bytes.
    @discardableResult
    func corruptBlob(_ digest: Digest, in repository: String) throws -> Data {
        guard let bucket = store.backend as? S3Store else {
            let url = URL(fileURLWithPath: try store.layout(for: repository).blobPath(digest))
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 1] ^= 0x01
            try bytes.write(to: url)
            return bytes
        }
        let key = bucket.client.location.key(digest.blobPath)
        var bytes = try #require(try bucket.client.getData(key, limit: 1 << 20)).data
        bytes[bytes.count - 1] ^= 0x01
        _ = try bucket.client.put(key, data: bytes)
        return bytes
    }
}

/// Small random content.
func randomBytes(_ count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
}

extension Data {
    var buffer: ByteBuffer { ByteBuffer(bytes: self) }
}

extension ByteBuffer {
    var data: Data { Data(readableBytesView) }
    var string: String { String(buffer: self) }
}

extension TestResponse {
    /// The decoded OCI error envelope.
    var errors: [DistributionError] {
        (try? JSONDecoder().decode(DistributionErrors.self, from: body.data).errors) ?? []
    }

    /// The first error code, if any.
    var errorCode: DistributionErrorCode? { errors.first?.code }
}

/// An image pushed through the API: its blobs, manifest bytes and digest.
struct PushedImage {
    let layers: [Data]
    let config: Data
    let manifest: Data
    let digest: Digest
    let descriptor: Descriptor
}

extension TestClientProtocol {
    /// Pushes a blob with a single POST.
    @discardableResult
    func pushBlob(_ data: Data, to repository: String) async throws -> Digest {
        let digest = Digest.sha256(of: data)
        let response = try await execute(
            uri: "/v2/\(repository)/blobs/uploads/?digest=\(digest)", method: .post, body: data.buffer)
        #expect(response.status == .created, "push blob: \(response.body.string)")
        return digest
    }

    /// Pushes random layers, a config and a manifest (tagged when `tag` is given).
    func pushImage(
        to repository: String, tag: String?, layers: Int = 2, subject: Descriptor? = nil,
        artifactType: Layout.MediaType? = nil, annotations: [String: String]? = nil
    ) async throws -> PushedImage {
        var layerData: [Data] = []
        var descriptors: [Descriptor] = []
        for _ in 0..<layers {
            let data = randomBytes(Int.random(in: 100...3000))
            let digest = try await pushBlob(data, to: repository)
            layerData.append(data)
            descriptors.append(Descriptor(mediaType: .ociLayer, digest: digest, size: Int64(data.count)))
        }
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = try await pushBlob(config, to: repository)
        let manifest = ImageManifest(
            artifactType: artifactType,
            config: Descriptor(mediaType: .ociConfig, digest: configDigest, size: Int64(config.count)),
            layers: descriptors, subject: subject, annotations: annotations)
        let bytes = try JSONEncoder.ocitool.encode(manifest)
        let digest = Digest.sha256(of: bytes)
        let reference = tag ?? digest.description
        let response = try await execute(
            uri: "/v2/\(repository)/manifests/\(reference)", method: .put,
            headers: [.contentType: Layout.MediaType.ociManifest.rawValue], body: bytes.buffer)
        #expect(response.status == .created, "push manifest: \(response.body.string)")
        return PushedImage(
            layers: layerData, config: config, manifest: bytes, digest: digest,
            descriptor: Descriptor(mediaType: .ociManifest, digest: digest, size: Int64(bytes.count)))
    }
}
