// SPDX-License-Identifier: Apache-2.0

/// The parts of an image configuration that ocitool reads (inspect, export, platform matching).
/// Decoding is lenient: unknown fields are ignored, and the blob's bytes are never re-encoded.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/config.md
public struct ImageConfig: Codable, Hashable, Sendable {
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var created: String?
    public var author: String?
    public var config: ExecutionConfig?
    public var rootfs: RootFS?
    public var history: [History]?

    public init(architecture: String? = nil, os: String? = nil, variant: String? = nil, created: String? = nil,
        author: String? = nil, config: ExecutionConfig? = nil, rootfs: RootFS? = nil, history: [History]? = nil
    ) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.created = created
        self.author = author
        self.config = config
        self.rootfs = rootfs
        self.history = history
    }

    /// The platform this config declares, when it declares one.
    public var platform: Platform? {
        guard let architecture, let os else { return nil }
        return Platform(architecture: architecture, os: os, variant: variant)
    }

    /// How a container of this image runs.
    public struct ExecutionConfig: Codable, Hashable, Sendable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd"
            case workingDir = "WorkingDir", labels = "Labels"
        }
    }

    /// The layer diff IDs.
    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String
        public var diffIDs: [Digest]

        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One history entry.
    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var comment: String?
        public var emptyLayer: Bool?

        enum CodingKeys: String, CodingKey {
            case created, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }
}
