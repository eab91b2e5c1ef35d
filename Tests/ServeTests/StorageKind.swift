// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import TestSupport
import Testing

@testable import ObjectStorage
@testable import Serve

/// Where a `ServeFixture`'s repositories live. The endpoint suites take it as a test argument, so each of their
/// tests proves that a client sees the same registry over either storage.
enum StorageKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A directory tree under the fixture's root.
    case file
    /// A new prefix of a bucket on the test process's Ceph (`CephCluster.shared()`); the fixture's root keeps
    /// only the server's private state.
    case s3

    var testDescription: String { rawValue }

    /// A new, empty store in the bucket the test process's fixtures share (made on first use), and the storage
    /// setting that serves it with the cluster's credentials.
    /// - Parameter privateState: the fixture's root (its staging directory is the server's).
    /// - Throws: when Ceph cannot be started or the bucket made.
    static func newBucketStore(privateState: String) async throws -> (ServeConfiguration.ObjectStore, Store) {
        let (cluster, bucket) = try await onOwnThread { (try CephCluster.shared(), try sharedBucket.get()) }
        let url = "s3://\(bucket)/\(UUID().uuidString.lowercased())"
        var storage = ServeConfiguration.ObjectStore(url: url, endpoint: cluster.endpoint)
        storage.environment = cluster.environment
        let backend = try S3Store.open(
            url, endpoint: cluster.endpoint, region: nil,
            stagingDirectory: Store(root: privateState).privateStateDirectory("tmp"), environment: cluster.environment)
        return (storage, Store(root: privateState, backend: backend))
    }

    /// The bucket's name, or why it could not be made.
    private static let sharedBucket = Result<String, any Error> {
        let cluster = try CephCluster.shared()
        let name = "serve-\(UUID().uuidString.lowercased().prefix(8))"
        try S3Store.open(
            "s3://\(name)", endpoint: cluster.endpoint, region: nil,
            stagingDirectory: TestScratch.directory("ocitool-serve-bucket").path, environment: cluster.environment
        ).createBucket()
        return name
    }
}
