// SPDX-License-Identifier: Apache-2.0

/// The platform an image runs on.
///
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md#image-index-property-descriptions
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var features: [String]?

    public init(
        architecture: String, os: String, osVersion: String? = nil, osFeatures: [String]? = nil,
        variant: String? = nil, features: [String]? = nil
    ) {
        self.architecture = architecture
        self.os = os
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.variant = variant
        self.features = features
    }

    /// Parses `os/arch[/variant]`, e.g. `linux/arm64/v8`.
    public init(parsing text: String) throws(LayoutError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidArgument("platform '\(text)' is not os/arch[/variant], e.g. linux/amd64")
        }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    /// `os/arch[/variant]`.
    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }

    /// Whether this platform satisfies `wanted` (a missing variant in `wanted` matches any).
    public func matches(_ wanted: Platform) -> Bool {
        os == wanted.os && architecture == wanted.architecture && (wanted.variant == nil || variant == wanted.variant)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, features
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }
}
