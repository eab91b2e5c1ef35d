// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout

/// Finished manifest responses by request path (`/v2/<name>/manifests/<reference>`), so that a repeated pull
/// costs two metadata lookups (on the file system two `stat`s) and an `Accept` check: no path parsing, name
/// validation, `realpath`, index lookup or header building.
///
/// An entry holds what one successful GET produced for a reference found in index.json, with the version of
/// that index.json and the manifest blob's digest and size. It answers only while index.json still has that
/// version (any change, by this server or the CLI, gives a new one) and the layout still has the blob with that
/// size, the conditions under which the slow path would answer the same bytes. A request whose
/// `Accept` list rules the manifest out goes to the slow path, which produces the error.
final class ManifestResponseCache: @unchecked Sendable {
    /// One ready response.
    struct Entry: Sendable {
        /// The repository.
        let layout: OCILayout
        /// index.json as it was when the reference was resolved.
        let version: IndexVersion
        /// The manifest's blob and its size.
        let digest: Digest
        let blobSize: Int64
        /// The manifest's media type, for content negotiation.
        let mediaType: String
        /// Content-Type, Content-Length, Docker-Content-Digest and ETag.
        let headers: HTTPFields
        /// The manifest's exact bytes.
        let body: ByteBuffer
    }

    /// Guards the table; never held across I/O.
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var bytes = 0
    /// Most body bytes kept.
    let capacity: Int
    /// Most entries kept.
    let maxEntries: Int

    init(capacity: Int = 32 << 20, maxEntries: Int = 16384) {
        self.capacity = capacity
        self.maxEntries = maxEntries
    }

    /// The response to a GET or HEAD of `path`, when an entry for it is still valid and acceptable.
    func response(to request: Request, path: String) -> Response? {
        guard let entry = lock.withLock({ entries[path] }) else { return nil }
        guard entry.layout.indexVersion() == entry.version, entry.layout.blobSize(entry.digest) == entry.blobSize
        else {
            remove(path, ifVersion: entry.version)
            return nil
        }
        guard Registry.accepts(request, entry.mediaType) else { return nil }
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: entry.body)
        return Response(status: .ok, headers: entry.headers, body: body)
    }

    /// Keeps `entry` for `path`, dropping arbitrary others past the limits.
    func insert(_ entry: Entry, for path: String) {
        guard entry.body.readableBytes <= capacity / 16 else { return }
        lock.withLock {
            if let old = entries.updateValue(entry, forKey: path) { bytes -= old.body.readableBytes }
            bytes += entry.body.readableBytes
            while bytes > capacity || entries.count > maxEntries, let victim = entries.first?.key, victim != path {
                bytes -= entries.removeValue(forKey: victim)?.body.readableBytes ?? 0
            }
        }
    }

    /// Removes the entry of `path` if it is still the one of `version` (a newer one stays).
    private func remove(_ path: String, ifVersion version: IndexVersion) {
        lock.withLock {
            guard let current = entries[path], current.version == version else { return }
            entries.removeValue(forKey: path)
            bytes -= current.body.readableBytes
        }
    }
}
