// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import Layout

/// Finished manifest responses by request path (`/v2/<name>/manifests/<reference>`), so that a repeated pull
/// costs two `stat`s and an `Accept` check: no path parsing, name validation, `realpath`, index lookup or
/// header building.
///
/// An entry holds what one successful GET produced for a reference found in index.json, with the stamp of
/// that index.json and the manifest blob's path and size. It answers only while index.json still has that stamp
/// (any change to the file, by this server or the CLI, replaces it and so changes the stamp) and the blob is still
/// there with that size, the conditions under which the slow path would answer the same bytes. A request whose
/// `Accept` list rules the manifest out goes to the slow path, which produces the error.
final class ManifestResponseCache: @unchecked Sendable {
    /// One ready response.
    struct Entry: Sendable {
        /// The repository's index.json.
        let indexPath: String
        /// index.json as it was when the reference was resolved.
        let stamp: FileStamp
        /// The manifest's blob and its size.
        let blobPath: String
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
        guard FileStamp(path: entry.indexPath) == entry.stamp, FileSystem.fileSize(entry.blobPath) == entry.blobSize
        else {
            remove(path, ifStamped: entry.stamp)
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

    /// Removes the entry of `path` if it is still the one stamped `stamp` (a newer one stays).
    private func remove(_ path: String, ifStamped stamp: FileStamp) {
        lock.withLock {
            guard let current = entries[path], current.stamp == stamp else { return }
            entries.removeValue(forKey: path)
            bytes -= current.body.readableBytes
        }
    }
}
