// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
public import Layout

/// Referrers: the referrers API when the registry has it, else the referrers tag schema, plus cosign's legacy
/// tags.
///
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers and
/// https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
extension RegistryClient {
    /// The manifests whose subject is `digest`.
    ///
    /// `GET /v2/NAME/referrers/DIGEST` first; a 404 (or 400/405) means the registry has no referrers API
    /// (remembered for the repository), and the index under the fallback tag `sha256-<hex>` is read instead.
    /// With `configuration.cosignTags`, cosign's `sha256-<hex>.sig`/`.att`/`.sbom` tags are added as legacy
    /// referrers.
    /// - Parameter artifactType: keep only referrers of this type.
    public func referrers(_ repository: String, of digest: Digest, artifactType: MediaType? = nil)
        throws(SyncError) -> [Referrer]
    {
        var descriptors: [Descriptor]
        if let listed = try referrersAPI(repository, digest) {
            descriptors = listed
        } else {
            descriptors = try fallbackIndex(repository, subject: digest)?.manifests ?? []
        }
        var result = descriptors.map { Referrer(descriptor: $0) }
        if configuration.cosignTags {
            for (tag, type) in Referrer.cosignTags(of: digest) {
                guard var descriptor = try manifestDescriptor(repository, .tag(tag)) else { continue }
                guard !result.contains(where: { $0.descriptor.digest == descriptor.digest }) else { continue }
                descriptor.artifactType = type
                result.append(Referrer(descriptor: descriptor, legacyTag: tag))
            }
        }
        guard let artifactType else { return result }
        return result.filter { $0.descriptor.artifactType == artifactType }
    }

    /// Whether the registry answers the referrers API for the repository (asked once, about `probe`).
    public func hasReferrersAPI(_ repository: String, probe: Digest, forPush: Bool = false) throws(SyncError) -> Bool {
        try referrersAPI(repository, probe, forPush: forPush) != nil
    }

    /// The referrers API's list, every page of it (`Link: <…>; rel="next"`), or nil when the registry does not
    /// have the API.
    private func referrersAPI(_ repository: String, _ digest: Digest, forPush: Bool = false) throws(SyncError)
        -> [Descriptor]?
    {
        guard !referrersUnsupported.current.contains(repository) else { return nil }
        let context = "listing referrers of \(digest) in \(name(repository))"
        var next: String? = url(repository, "referrers/\(digest)")
        var seen: Set<String> = []
        var descriptors: [Descriptor] = []
        while let current = next, seen.insert(current).inserted {
            try checkPageLimit(seen.count, context: context)
            let request = RegistryRequest(
                method: "GET", url: current, headers: ["Accept: \(MediaType.ociIndex)"],
                scopes: [RegistryClient.scope(repository, push: forPush)], context: context)
            let response = try send(request, .collect(limit: Manifest.maxSize))
            switch response.status {
            case 200:
                guard let index = try? JSONDecoder().decode(ImageIndex.self, from: response.body) else {
                    throw .invalidResponse(host: registry, reason: "\(context): the answer is not an image index")
                }
                descriptors += index.manifests
                next = nextPage(response.headers.values("Link"))
            case 400, 404, 405:
                // On a later page it is an error, not the absence of the API.
                guard seen.count == 1 else { throw failure(response, context: context) }
                referrersUnsupported.withLock { _ = $0.insert(repository) }
                return nil
            default:
                throw failure(response, context: context)
            }
        }
        return descriptors
    }

    /// The index under the referrers fallback tag `sha256-<hex>` of `subject`, if there is one.
    public func fallbackIndex(_ repository: String, subject: Digest, forPush: Bool = false) throws(SyncError)
        -> ImageIndex?
    {
        let tag = subject.referrersTag
        let manifest: Manifest
        do throws(SyncError) { manifest = try fetchManifest(repository, .tag(tag), forPush: forPush).manifest } catch {
            if case .notFound = error { return nil }
            throw error
        }
        guard case .index(let index) = manifest.kind else {
            throw .invalidResponse(host: registry, reason: "the referrers tag \(tag) in \(repository) is not an index")
        }
        return index
    }

    /// Adds a referrer to the fallback tag's index (read, add when absent, push, retag), for registries that
    /// did not process the subject of a pushed manifest. Not atomic across clients, as the spec notes: two
    /// clients updating one subject's tag at once may lose an entry (the copy engine pushes one at a time).
    /// - Parameters:
    ///   - subject: the referrer's subject.
    ///   - referrer: the referrer's descriptor (media type, digest, size, artifact type, annotations).
    public func addToReferrersFallback(_ repository: String, subject: Digest, referrer: Descriptor)
        throws(SyncError)
    {
        var index = try fallbackIndex(repository, subject: subject, forPush: true) ?? ImageIndex(mediaType: .ociIndex)
        guard !index.manifests.contains(where: { $0.digest == referrer.digest }) else { return }
        var entry = referrer
        entry.annotations?.removeValue(forKey: Annotation.refName)
        if entry.annotations?.isEmpty == true { entry.annotations = nil }
        index.manifests.append(entry)
        index.mediaType = .ociIndex
        let bytes: Data
        do { bytes = try JSONEncoder.ocitool.encode(index) } catch {
            throw .invalidArgument("cannot encode the referrers index: \(error)")
        }
        let manifest = try layoutCall { () throws(LayoutError) in try Manifest(bytes: bytes, declared: .ociIndex) }
        try pushManifest(repository, manifest, reference: .tag(subject.referrersTag))
    }
}
