// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout

/// Listings: tags, the catalog and referrers, paginated with `n`, `last` and a `Link` header.
extension Registry {
    /// `GET /v2/<name>/tags/list?n=&last=`: the tags in lexical order.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-tags
    func tags(_ name: String, request: Request) throws -> Response {
        let layout = try store.layout(for: name)
        let tags = try indexes.index(of: layout).tags
        let page = Page(tags, request: request, maxPageSize: configuration.maxPageSize, defaultAll: true)
        let body = TagList(name: name, tags: page.items)
        return try Registry.listing(body, link: page.link(path: "/v2/\(name)/tags/list"))
    }

    /// `GET /v2/_catalog?n=&last=`: the repositories in lexical order (only those `visible` accepts, when
    /// access rules restrict what the caller may see).
    func catalog(_ request: Request, visible: (@Sendable (String) -> Bool)? = nil) async throws -> Response {
        let store = self.store
        var repositories = try await io.perform { () throws(LayoutError) in try store.listedRepositories() }
        if let visible { repositories = repositories.filter(visible) }
        let page = Page(repositories, request: request, maxPageSize: configuration.maxPageSize, defaultAll: true)
        return try Registry.listing(Catalog(repositories: page.items), link: page.link(path: "/v2/_catalog"))
    }

    /// `GET /v2/<name>/referrers/<digest>?artifactType=`: an image index of the manifests whose subject is
    /// `digest` (empty when there are none, or when the repository does not exist yet, as the conformance
    /// suite expects: never 404), at most `maxPageSize` (or `n`) per page, continued with `last=<digest>`.
    ///
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
    func referrers(_ name: String, digest: Digest, request: Request) throws -> Response {
        let artifactType = Registry.query(request, "artifactType").flatMap { $0.isEmpty ? nil : MediaType($0) }
        let all = try Registry.layoutIfPresent(store, name)?.referrers(of: digest, artifactType: artifactType) ?? []
        let page = Page(
            all.map(\.digest.description), request: request, maxPageSize: configuration.maxPageSize,
            defaultAll: false, sorted: false)
        let selected = Set(page.items)
        let index = ImageIndex(manifests: all.filter { selected.contains($0.digest.description) })
        var headers: HTTPFields = [:]
        if artifactType != nil { headers[.ociFiltersApplied] = "artifactType" }
        var query = "/v2/\(name)/referrers/\(digest)"
        if let artifactType { query += "?artifactType=\(Registry.percentEncode(artifactType.rawValue))" }
        if let link = page.link(path: query) { headers[.link] = link }
        return .json(try JSONEncoder.ocitool.encode(index), contentType: MediaType.ociIndex.rawValue, headers: headers)
    }

    /// The repository's layout, nil when the repository does not exist.
    /// - Throws: `LayoutError.invalidName` for a name that cannot be a repository.
    private static func layoutIfPresent(_ store: Store, _ name: String) throws(LayoutError) -> OCILayout? {
        do throws(LayoutError) {
            return try store.layout(for: name)
        } catch {
            if case .notALayout = error { return nil }
            throw error
        }
    }

    private static func listing(_ body: some Encodable, link: String?) throws -> Response {
        var headers: HTTPFields = [:]
        if let link { headers[.link] = link }
        return .json(try JSONEncoder.ocitool.encode(body), headers: headers)
    }

    /// Escapes everything but unreserved characters (RFC 3986), for a query value.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || "-._~".unicodeScalars.contains(scalar)
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// `{"name","tags"}`.
    private struct TagList: Encodable {
        let name: String
        let tags: [String]
    }

    /// `{"repositories"}`.
    private struct Catalog: Encodable {
        let repositories: [String]
    }
}

/// One page of a listing: the entries after `last`, at most `n` (capped at the registry's page size), and
/// whether more follow.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-tags
struct Page {
    /// The entries of this page.
    let items: [String]
    /// The page size used (for the next page's link).
    let size: Int
    /// Whether entries follow this page.
    let truncated: Bool

    /// - Parameters:
    ///   - all: every entry, in order.
    ///   - n: entries requested (nil: the default), `last`: the entry the page starts after.
    ///   - maxPageSize: the registry's cap on `n`.
    ///   - defaultAll: without `n`, return everything (tags, catalog) rather than one page (referrers).
    ///   - sorted: whether `all` is sorted, so that `last` is found by comparison (else by position).
    init(_ all: [String], n: Int?, last: String?, maxPageSize: Int, defaultAll: Bool, sorted: Bool = true) {
        var rest = all[...]
        if let last {
            if sorted {
                rest = rest.drop { $0 <= last }
            } else {
                rest = all.firstIndex(of: last).map { all[(all.index(after: $0))...] } ?? []
            }
        }
        let limit = n.map { min($0, maxPageSize) } ?? (defaultAll ? Int.max : maxPageSize)
        items = Array(rest.prefix(limit))
        size = limit
        truncated = rest.count > items.count
    }

    /// Reads `n` and `last` from the request's query.
    init(_ all: [String], request: Request, maxPageSize: Int, defaultAll: Bool, sorted: Bool = true) {
        let n = Registry.query(request, "n").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        self.init(
            all, n: n, last: Registry.query(request, "last"), maxPageSize: maxPageSize, defaultAll: defaultAll,
            sorted: sorted)
    }

    /// The RFC 5988 `Link` to the next page, when there is one.
    func link(path: String) -> String? {
        guard truncated, let last = items.last else { return nil }
        let separator = path.contains("?") ? "&" : "?"
        return "<\(path)\(separator)n=\(size)&last=\(Registry.percentEncode(last))>; rel=\"next\""
    }
}

extension String {
    /// Left-padded with zeros to `width`.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
