// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// `s3://BUCKET[/PREFIX]/REPO` references: which part is the store's prefix and which the repository is not
/// written in the URL (both may contain `/`), so it is found in the bucket, or marked with `//`
/// (`s3://BUCKET/PREFIX//REPO`).
extension S3Store {
    /// Opens the repository `url` names.
    ///
    /// With `//` the store's prefix is what comes before it. Otherwise the split is the one whose repository
    /// has an index.json; failing that, with `create`, the one whose prefix already holds a store (any
    /// repository), the shortest prefix first, or the only split there is. A new repository in a bucket with no
    /// store under its path and several possible splits is refused rather than guessed.
    /// - Parameters:
    ///   - url: `s3://BUCKET[/PREFIX]/REPO` or `s3://BUCKET[/PREFIX]//REPO`, without a tag or digest.
    ///   - endpoint: the service's URL; nil: AWS's regional endpoint.
    ///   - region: nil: `AWS_REGION`, else `us-east-1`.
    ///   - create: create the repository (an empty index.json) when it does not exist.
    /// - Returns: the repository as a layout over the bucket.
    /// - Throws: `LayoutError.invalidReference` when no split gives a valid repository name or the split is
    ///   ambiguous, `.notALayout` for a missing repository without `create`, `.invalidArgument` without
    ///   credentials, I/O errors.
    public static func repository(
        _ url: String, endpoint: String?, region: String?, create: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LayoutError) -> OCILayout {
        let splits = try candidates(url, endpoint: endpoint, region: region, environment: environment)
        if splits.count > 1 {
            for (store, name) in splits where try store.hasRepository(name) { return try store.layout(name) }
            guard create else { throw .notALayout(url) }
        }
        if splits.count == 1 { return try splits[0].store.layout(splits[0].name, create: create) }
        for split in splits where try split.store.holdsRepositories() {
            return try split.store.layout(split.name, create: create)
        }
        throw .invalidReference(
            url,
            reason: "no store exists under this path yet, so where its prefix ends and the repository begins is "
                + "unknown: mark it with '//', e.g. s3://BUCKET/PREFIX//REPOSITORY")
    }

    /// Repository `name` of this store as a layout.
    private func layout(_ name: String, create: Bool = false) throws(LayoutError) -> OCILayout {
        try Store(root: stagingDirectory, backend: self).layout(for: name, create: create)
    }

    /// Every way to read `url` as a store and a valid repository name, the shortest prefix first.
    private static func candidates(
        _ url: String, endpoint: String?, region: String?, environment: [String: String]
    ) throws(LayoutError) -> [(store: S3Store, name: String)] {
        let path = url.dropFirst("s3://".count)
        let marked = path.range(of: "//")
        let components = (marked.map { path.replacingCharacters(in: $0, with: "/") } ?? String(path))
            .split(separator: "/").map(String.init)
        guard components.count >= 2 else {
            throw .invalidReference(url, reason: "expected s3://BUCKET[/PREFIX]/REPOSITORY")
        }
        let credentials = try S3Credentials.resolve(environment: environment)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-s3-staging").path
        var cuts = Array(1..<components.count)
        if let marked { cuts = [path[..<marked.lowerBound].split(separator: "/").count] }
        var splits: [(S3Store, String)] = []
        for cut in cuts {
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
