// SPDX-License-Identifier: Apache-2.0

/// What a request addresses, for metrics and the access log.
enum RouteKind: String, Sendable, CaseIterable {
    case blob, manifest, upload, tags, catalog, referrers, scan, other

    /// The kind of a request path, and the repository it names.
    static func of(path: String) -> (kind: RouteKind, repository: String?) {
        guard path.hasPrefix("/v2/"), let route = try? DistributionRoute(path: path) else { return (.other, nil) }
        let kind: RouteKind =
            switch route {
            case .blob: .blob
            case .manifest: .manifest
            case .uploads, .upload: .upload
            case .tags: .tags
            case .catalog: .catalog
            case .referrers: .referrers
            case .scan, .scanSummary: .scan
            }
        return (kind, route.name)
    }
}
