// SPDX-License-Identifier: Apache-2.0

/// A repository of a registry, as an image source or destination.
public struct RemoteRegistry: Sendable, CustomStringConvertible {
    /// The client of the registry.
    public let client: RegistryClient
    /// The repository (Docker Hub official images normalized to `library/NAME`).
    public let repository: String

    /// A repository of the client's registry (Docker Hub names are normalized).
    public init(client: RegistryClient, repository: String) {
        self.client = client
        self.repository = client.normalizedRepository(repository)
    }

    /// `docker://HOST/REPO`.
    public var description: String { "docker://\(client.registry)/\(repository)" }
}
