// SPDX-License-Identifier: Apache-2.0

extension Platform {
    /// The platform of the machine ocitool runs on, which is what skopeo picks from an index when no platform
    /// is named: linux/amd64 on x86_64, linux/arm64 on aarch64 (linux/amd64 elsewhere).
    public static var host: Platform {
        #if arch(arm64)
            Platform(architecture: "arm64", os: "linux")
        #else
            Platform(architecture: "amd64", os: "linux")
        #endif
    }
}

/// Picking children of an index by platform.
package enum PlatformSelection {
    /// The children of `index` that run on any of `platforms`, in index order.
    package static func children(of index: ImageIndex, matching platforms: [Platform]) -> [Descriptor] {
        index.manifests.filter { child in
            guard let platform = child.platform else { return false }
            return platforms.contains { platform.matches($0) }
        }
    }

    /// The first child of `index` that runs on `platform`.
    /// - Parameter digest: the index's digest, for the message.
    /// - Throws: `LayoutError.invalidArgument` naming the platforms the index holds.
    package static func child(of index: ImageIndex, digest: Digest, matching platform: Platform) throws(LayoutError)
        -> Descriptor
    {
        if let child = children(of: index, matching: [platform]).first { return child }
        throw .invalidArgument(
            "index \(digest) has no image for \(platform); it holds \(describePlatforms(of: index))")
    }

    /// `linux/amd64, linux/arm64/v8`, or a note when no child declares a platform.
    package static func describePlatforms(of index: ImageIndex) -> String {
        let names = index.manifests.compactMap { $0.platform?.description }
        return names.isEmpty ? "no platform-specific images" : names.joined(separator: ", ")
    }

    /// Whether any child of `index` declares a platform.
    package static func hasPlatforms(_ index: ImageIndex) -> Bool {
        index.manifests.contains { $0.platform != nil }
    }
}
