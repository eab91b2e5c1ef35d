// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
public import Layout

/// A manifest pushed to a registry.
public struct PushedManifest: Sendable, Hashable {
    /// Its media type, digest and size.
    public var descriptor: Descriptor
    /// Whether the registry answered with `OCI-Subject`, i.e. it indexes referrers itself; when false the
    /// client maintains the referrers fallback tag.
    public var subjectProcessed: Bool
}

/// Manifests by tag or digest, exact bytes kept.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
extension RegistryClient {
    /// The manifest types asked for: OCI and Docker schema2 images and indexes.
    public static let manifestMediaTypes: [MediaType] = [.ociManifest, .ociIndex, .dockerManifest, .dockerManifestList]

    private static var acceptHeader: String {
        "Accept: " + manifestMediaTypes.map(\.rawValue).joined(separator: ", ")
    }

    /// Fetches a manifest, keeping its exact bytes. Fetched by digest, the bytes must match it; the registry's
    /// `Docker-Content-Digest`, when present, must match them too.
    /// - Parameter forPush: ask for the push scope (a destination reading before it writes).
    /// - Returns: the manifest's descriptor (media type, digest, size) and the parsed manifest.
    /// - Throws: `.notFound("manifest REF not found in HOST/REPO")`, `.layout(.verificationFailed)` on a digest
    ///   mismatch, `.invalidResponse` for a malformed manifest.
    public func fetchManifest(_ repository: String, _ reference: ImageReference.Selector, forPush: Bool = false)
        throws(SyncError) -> (descriptor: Descriptor, manifest: Manifest)
    {
        let request = RegistryRequest(
            method: "GET", url: url(repository, "manifests/\(reference)"), headers: [RegistryClient.acceptHeader],
            scopes: [RegistryClient.scope(repository, push: forPush)],
            context: "fetching manifest \(reference) from \(name(repository))")
        let response = try send(request, .collect(limit: Manifest.maxSize))
        switch response.status {
        case 200: break
        case 404: throw .notFound("manifest \(reference) not found in \(name(repository))")
        default: throw failure(response, context: request.context)
        }
        let digest = try verifiedDigest(response, reference: reference, repository: repository)
        let manifest: Manifest
        do throws(LayoutError) {
            manifest = try Manifest(bytes: response.body, declared: RegistryClient.manifestType(response.headers))
        } catch {
            throw .invalidResponse(host: registry, reason: "manifest \(reference) of \(repository) is malformed: \(error)")
        }
        let descriptor = Descriptor(
            mediaType: manifest.mediaType, digest: digest, size: Int64(response.body.count),
            artifactType: manifest.artifactType)
        return (descriptor, manifest)
    }

    /// The digest of fetched manifest bytes, checked against the reference and `Docker-Content-Digest`.
    private func verifiedDigest(_ response: RegistryResponse, reference: ImageReference.Selector, repository: String)
        throws(SyncError) -> Digest
    {
        var algorithm = DigestAlgorithm.sha256
        if case .digest(let wanted) = reference { algorithm = wanted.algorithm }
        let hasher = DigestHasher(algorithm)
        hasher.update(response.body)
        let actual = hasher.finalize()
        let where_ = "manifest \(reference) from \(name(repository))"
        if case .digest(let wanted) = reference, wanted != actual {
            throw .layout(.verificationFailed("\(where_) does not match its digest: content is \(actual)"))
        }
        if let header = response.headers["Docker-Content-Digest"], let reported = try? Digest(header),
            reported.algorithm == actual.algorithm, reported != actual
        {
            throw .layout(.verificationFailed("\(where_): the registry says \(reported), the content is \(actual)"))
        }
        return actual
    }

    /// A manifest's descriptor without its body (`HEAD`), or nil when the repository has no such manifest.
    /// Falls back to a GET when the registry omits `Docker-Content-Digest`.
    /// - Parameter forPush: ask for the push scope (a destination checking before it pushes).
    public func manifestDescriptor(_ repository: String, _ reference: ImageReference.Selector, forPush: Bool = false)
        throws(SyncError) -> Descriptor?
    {
        let request = RegistryRequest(
            method: "HEAD", url: url(repository, "manifests/\(reference)"), headers: [RegistryClient.acceptHeader],
            scopes: [RegistryClient.scope(repository, push: forPush)],
            context: "checking manifest \(reference) in \(name(repository))")
        let response = try send(request)
        switch response.status {
        case 200: break
        case 404: return nil
        default: throw failure(response, context: request.context)
        }
        guard let header = response.headers["Docker-Content-Digest"], let digest = try? Digest(header),
            let size = response.headers["Content-Length"].flatMap({ Int64($0) }),
            let mediaType = RegistryClient.manifestType(response.headers)
        else {
            return try fetchManifest(repository, reference, forPush: forPush).descriptor
        }
        if case .digest(let wanted) = reference, wanted != digest {
            throw .invalidResponse(host: registry, reason: "\(request.context): the registry answered for \(digest)")
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: size)
    }

    /// Pushes manifest bytes under a tag or their digest, with `Content-Type` = the manifest's media type.
    /// - Returns: the descriptor and whether the registry processed the subject (`OCI-Subject`).
    /// - Throws: registry errors (`MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`, …); `.invalidResponse` when the
    ///   registry reports another digest.
    @discardableResult
    public func pushManifest(_ repository: String, _ manifest: Manifest, reference: ImageReference.Selector)
        throws(SyncError) -> PushedManifest
    {
        let request = RegistryRequest(
            method: "PUT", url: url(repository, "manifests/\(reference)"),
            headers: ["Content-Type: \(manifest.mediaType)"], scopes: [RegistryClient.scope(repository, push: true)],
            body: .data(manifest.bytes), context: "pushing manifest \(reference) to \(name(repository))")
        let response = try send(request)
        guard response.isSuccess else { throw failure(response, context: request.context) }
        let digest = manifest.digest
        if let header = response.headers["Docker-Content-Digest"], let reported = try? Digest(header),
            reported.algorithm == digest.algorithm, reported != digest
        {
            throw .invalidResponse(host: registry, reason: "\(request.context): the registry stored \(reported), not \(digest)")
        }
        return PushedManifest(
            descriptor: manifest.descriptor, subjectProcessed: response.headers["OCI-Subject"] != nil)
    }

    /// The manifest media type of `Content-Type` (parameters dropped), when it is one.
    static func manifestType(_ headers: HTTPHeaders) -> MediaType? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = MediaType(String(value.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces))
        return type.isManifest ? type : nil
    }
}
