// SPDX-License-Identifier: Apache-2.0

/// One entry of a `docker save` tarball's manifest.json.
///
/// Spec: https://github.com/moby/moby/blob/master/image/spec/v1.2.md#combined-image-json--filesystem-changeset-format
/// (the legacy form lists `<hex>.json` and `<id>/layer.tar`; docker 25 and later list `blobs/sha256/<hex>`).
struct DockerArchiveManifest: Codable, Hashable, Sendable {
    /// The config file's entry name.
    var config: String
    /// `NAME:TAG` names of the image, or nil for an untagged image.
    var repoTags: [String]?
    /// The layer files' entry names, base layer first.
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }
}
