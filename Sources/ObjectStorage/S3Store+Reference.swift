// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// `s3://BUCKET[/PREFIX]/REPO` references: which part is the store's prefix and which the repository is not
/// written in the URL (both may contain `/`), so it is found in the bucket.
extension S3Store {
    /// Opens the repository `url` names.
    ///
    /// The split is the one whose repository has an index.json; failing that (a repository to create), the one
    /// whose prefix already holds a store (any repository), the shortest prefix first; failing that (an empty
    /// bucket), the store is at the bucket's root and every path component names the repository.
    /// - Parameters:
    ///   - url: `s3://BUCKET[/PREFIX]/REPO`, without a tag or digest.
    ///   - endpoint: the service's URL; nil: AWS's regional endpoint.
    ///   - region: nil: `AWS_REGION`, else `us-east-1`.
    ///   - create: create the repository (an empty index.json) when it does not exist.
    /// - Returns: the repository as a layout over the bucket.
    /// - Throws: `LayoutError.invalidReference` when no split gives a valid repository name, `.notALayout` for a
    ///   missing repository without `create`, `.invalidArgument` without credentials, I/O errors.
    public static func repository(
        _ url: String, endpoint: String?, region: String?, create: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LayoutError) -> OCILayout {
        let splits = try candidates(url, endpoint: endpoint, region: region, environment: environment)
        for (store, name) in splits where try store.hasRepository(name) {
            return try Store(root: store.stagingDirectory, backend: store).layout(for: name)
        }
        var chosen = splits[0]
        for split in splits where try split.store.holdsRepositories() {
            chosen = split
            break
        }
        return try Store(root: chosen.store.stagingDirectory, backend: chosen.store)
            .layout(for: chosen.name, create: create)
    }

    /// Every way to read `url` as a store and a valid repository name, the shortest prefix first.
    private static func candidates(
        _ url: String, endpoint: String?, region: String?, environment: [String: String]
    ) throws(LayoutError) -> [(store: S3Store, name: String)] {
        let components = url.dropFirst("s3://".count).split(separator: "/").map(String.init)
        guard components.count >= 2 else {
            throw .invalidReference(url, reason: "expected s3://BUCKET[/PREFIX]/REPOSITORY")
        }
        let credentials = try S3Credentials.resolve(environment: environment)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-s3-staging").path
        var splits: [(S3Store, String)] = []
        for cut in 1..<components.count {
            let name = components[cut...].joined(separator: "/")
            guard (try? Store.validate(name)) != nil else { continue }
            let storeURL = "s3://" + components[..<cut].joined(separator: "/")
            let location = try S3Location(storeURL, endpoint: endpoint, region: region, environment: environment)
            splits.append((try S3Store(location: location, credentials: credentials, stagingDirectory: staging), name))
        }
        guard !splits.isEmpty else {
            throw .invalidReference(url, reason: "no part of the path after the bucket is a valid repository name")
        }
        return splits
    }

    /// Whether any repository lives under this store's prefix.
    func holdsRepositories() throws(LayoutError) -> Bool {
        try !client.list(prefix: client.location.key("repositories/"), limit: 1).isEmpty
    }
}
