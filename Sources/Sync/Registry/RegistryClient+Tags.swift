// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation

/// Tags and the catalog, following `Link: <…>; rel="next"` pages.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#content-discovery
extension RegistryClient {
    /// Every tag of a repository, in the registry's order (lexical for distribution).
    /// - Parameter pageSize: the `n` asked per page; nil lets the registry choose.
    /// - Throws: `.notFound` when the repository does not exist.
    public func listTags(_ repository: String, pageSize: Int? = nil) throws(SyncError) -> [String] {
        var items: [String] = []
        try paginate(
            url(repository, "tags/list"), pageSize: pageSize, key: "tags",
            scopes: [RegistryClient.scope(repository, push: false)],
            context: "listing tags of \(name(repository))", notFound: "repository \(name(repository)) not found"
        ) { items += $0 }
        return items
    }

    /// Every repository of the registry (`/v2/_catalog`; many registries restrict or disable it).
    public func catalog(pageSize: Int? = nil) throws(SyncError) -> [String] {
        var items: [String] = []
        try paginate(
            "\(baseURL)_catalog", pageSize: pageSize, key: "repositories", scopes: ["registry:catalog:*"],
            context: "listing the repositories of \(registry)", notFound: "registry \(registry) has no catalog"
        ) { items += $0 }
        return items
    }

    private func paginate(
        _ first: String, pageSize: Int?, key: String, scopes: [String], context: String, notFound: String,
        _ page: ([String]) -> Void
    ) throws(SyncError) {
        var next: String? = pageSize.map { RegistryClient.appendingQuery(first, "n", String($0)) } ?? first
        var seen: Set<String> = []
        while let current = next, seen.insert(current).inserted {
            try checkPageLimit(seen.count, context: context)
            let request = RegistryRequest(method: "GET", url: current, scopes: scopes, context: context)
            let response = try send(request, .collect(limit: 64 << 20))
            if response.status == 404 { throw .notFound(notFound) }
            guard response.status == 200 else { throw failure(response, context: context) }
            guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
                throw .invalidResponse(host: registry, reason: "\(context): the answer is not JSON")
            }
            page(object[key] as? [String] ?? [])
            next = nextPage(response.headers.values("Link"))
        }
    }

    /// Throws when a listing asks for page `number` (1-based) past `configuration.maxPages`.
    func checkPageLimit(_ number: Int, context: String) throws(SyncError) {
        let limit = max(1, configuration.maxPages)
        guard number > limit else { return }
        throw .invalidResponse(
            host: registry,
            reason: "\(context): more than \(limit) pages (the registry keeps sending "
                + "Link: rel=\"next\")")
    }

    /// The `rel="next"` target of `Link` fields, made absolute.
    func nextPage(_ links: [String]) -> String? {
        for link in links.flatMap({ $0.split(separator: ",") }) {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">"),
                parts.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" })
            else { continue }
            let reference = String(target.dropFirst().dropLast())
            return URL(string: reference, relativeTo: URL(string: baseURL))?.absoluteString
        }
        return nil
    }
}
