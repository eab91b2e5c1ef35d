// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Layout

/// A /v2 request path, parsed from the right: repository names contain `/` and may themselves hold components
/// such as `manifests` or `tags` (`a/manifests/b` is a legal name), so the endpoint is found by its fixed-length
/// suffix and everything before it is the name.
///
/// Every component is percent-decoded, and names, tags and digests are validated here, so `..`, `%2e%2e`, `.`,
/// empty components and encoded slashes never reach the store.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints
enum DistributionRoute: Equatable, Sendable {
    /// `/v2/_catalog`
    case catalog
    /// `/v2/<name>/tags/list`
    case tags(name: String)
    /// `/v2/<name>/manifests/<reference>`
    case manifest(name: String, reference: Reference)
    /// `/v2/<name>/blobs/<digest>`
    case blob(name: String, digest: Digest)
    /// `/v2/<name>/blobs/uploads/`
    case uploads(name: String)
    /// `/v2/<name>/blobs/uploads/<id>`
    case upload(name: String, id: String)
    /// `/v2/<name>/referrers/<digest>`
    case referrers(name: String, digest: Digest)
    /// `/v2/<name>/manifests/<reference>/scan`: a manifest's vulnerability scan (ocitool's extension). A
    /// manifest route wins: `/v2/a/manifests/manifests/scan` is tag `scan` of repository `a/manifests`.
    case scan(name: String, reference: Reference)
    /// `/v2/<name>/scan/summary`: a repository's scan summary (ocitool's extension).
    case scanSummary(name: String)

    /// A manifest reference: a tag or a digest.
    enum Reference: Equatable, Sendable, CustomStringConvertible {
        case tag(String)
        case digest(Digest)

        var description: String {
            switch self {
            case .tag(let tag): tag
            case .digest(let digest): digest.description
            }
        }
    }

    /// Parses a request path (without the query).
    /// - Parameter path: the raw path, e.g. `/v2/team/app/manifests/latest`.
    /// - Throws: `OCIError` NAME_INVALID, TAG_INVALID or DIGEST_INVALID (400), or 404 for a path that is no
    ///   endpoint.
    init(path: String) throws(OCIError) {
        try self.init(path: path, method: nil)
    }

    /// Parses the path of a request made with `method`. A read (`GET`/`HEAD`) of a manifest whose reference is no
    /// valid tag or digest, or of a blob whose digest is malformed, names nothing that can exist: 404
    /// MANIFEST_UNKNOWN or BLOB_UNKNOWN, the only failure the spec's endpoint table gives those reads (end-2,
    /// end-3). Pushes and deletes keep 400 TAG_INVALID or DIGEST_INVALID.
    /// - Throws: as `init(path:)`, with the 404s above for reads.
    init(path: String, method: HTTPRequest.Method?) throws(OCIError) {
        let reading = method == .get || method == .head
        guard path.hasPrefix("/v2/") else { throw DistributionRoute.notAnEndpoint(path) }
        var components: [String] = []
        for raw in path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false) {
            components.append(try DistributionRoute.decode(raw, path: path))
        }
        let count = components.count
        if components == ["_catalog"] {
            self = .catalog
        } else if count >= 3, components[count - 2] == "tags", components[count - 1] == "list" {
            self = .tags(name: try DistributionRoute.name(components[..<(count - 2)]))
        } else if count >= 3, components[count - 2] == "manifests" {
            let name = try DistributionRoute.name(components[..<(count - 2)])
            do {
                self = .manifest(name: name, reference: try DistributionRoute.reference(components[count - 1]))
            } catch where reading {
                let reference = components[count - 1]
                let separator = reference.contains(":") ? "@" : ":"
                throw OCIError(.manifestUnknown, "manifest \(name)\(separator)\(reference) not found")
            }
        } else if count >= 3, components[count - 2] == "referrers" {
            self = .referrers(
                name: try DistributionRoute.name(components[..<(count - 2)]),
                digest: try Registry.digest(components[count - 1]))
        } else if count >= 4, components[count - 3] == "blobs", components[count - 2] == "uploads" {
            let name = try DistributionRoute.name(components[..<(count - 3)])
            let id = components[count - 1]
            self = id.isEmpty ? .uploads(name: name) : .upload(name: name, id: id)
        } else if count >= 3, components[count - 2] == "blobs" {
            let name = try DistributionRoute.name(components[..<(count - 2)])
            if components[count - 1] == "uploads" {
                self = .uploads(name: name)
            } else {
                do {
                    self = .blob(name: name, digest: try Registry.digest(components[count - 1]))
                } catch where reading {
                    throw OCIError(.blobUnknown, "blob \(components[count - 1]) not found in \(name)")
                }
            }
        } else if count >= 4, components[count - 1] == "scan", components[count - 3] == "manifests" {
            // Only where no distribution endpoint matched, so no manifest route of an odd name changes meaning.
            let name = try DistributionRoute.name(components[..<(count - 3)])
            do {
                self = .scan(name: name, reference: try DistributionRoute.reference(components[count - 2]))
            } catch where reading {
                throw OCIError(.manifestUnknown, "manifest \(name):\(components[count - 2]) not found")
            }
        } else if count >= 3, components[count - 2] == "scan", components[count - 1] == "summary" {
            self = .scanSummary(name: try DistributionRoute.name(components[..<(count - 2)]))
        } else {
            throw DistributionRoute.notAnEndpoint(path)
        }
    }

    /// The repository the route addresses (nil for the catalog).
    var name: String? {
        switch self {
        case .catalog: nil
        case .tags(let name), .manifest(let name, _), .blob(let name, _), .uploads(let name), .upload(let name, _),
            .referrers(let name, _), .scan(let name, _), .scanSummary(let name):
            name
        }
    }

    private static func notAnEndpoint(_ path: String) -> OCIError {
        OCIError(.unsupported, "no registry endpoint at \(path)", status: .notFound)
    }

    private static func name(_ components: ArraySlice<String>) throws(OCIError) -> String {
        let name = components.joined(separator: "/")
        do { try Store.validate(name) } catch { throw OCIError(.nameInvalid, error.description) }
        return name
    }

    private static func reference(_ text: String) throws(OCIError) -> Reference {
        if text.contains(":") { return .digest(try Registry.digest(text)) }
        guard Names.isValidTag(text) else { throw OCIError(.tagInvalid, LayoutError.invalidTag(text).description) }
        return .tag(text)
    }

    /// Percent-decodes one path component. An encoded `/` or NUL, or a malformed escape, is refused: a component
    /// never turns into two.
    private static func decode(_ raw: Substring, path: String) throws(OCIError) -> String {
        guard raw.contains("%") else { return String(raw) }
        let invalid = OCIError(.nameInvalid, "invalid percent-encoding in \(path)")
        var bytes: [UInt8] = []
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid
            }
            let decoded = high << 4 | low
            guard decoded != UInt8(ascii: "/"), decoded != 0 else { throw invalid }
            bytes.append(decoded)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
