// SPDX-License-Identifier: Apache-2.0
import Sync
import TestSupport

/// The shared distribution registry of the tests, as the Sync tests use it.
typealias DockerRegistry = DistributionRegistry

extension DistributionRegistry {
    /// A client of this registry over plain HTTP, retrying quickly.
    func client(_ name: String? = nil) -> RegistryClient {
        RegistryClient(
            registry: name ?? host,
            configuration: RegistryConfiguration(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05)))
    }

    func repository(_ name: String) -> RemoteRegistry { RemoteRegistry(client: client(), repository: name) }

    /// A port nothing listens on right now.
    static func freePort() throws -> Int { try LoopbackPort.free() }
}
