// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

/// Manifest bytes by digest, bounded in total size (oldest first out). Content-addressed bytes never change, so
/// an entry is valid as long as the repository asking still has the blob, which the caller checks.
final class ManifestCache: @unchecked Sendable {
    /// Guards the table; never held across I/O.
    private let lock = NSLock()
    private var entries: [Digest: Data] = [:]
    private var order: [Digest] = []
    private var total = 0
    /// Most bytes kept.
    let capacity: Int

    init(capacity: Int = 32 << 20) {
        self.capacity = capacity
    }

    subscript(digest: Digest) -> Data? {
        lock.withLock { entries[digest] }
    }

    /// Keeps `bytes` for `digest`, dropping the oldest entries past the capacity.
    func insert(_ bytes: Data, for digest: Digest) {
        guard bytes.count <= capacity / 4 else { return }
        lock.withLock {
            guard entries[digest] == nil else { return }
            entries[digest] = bytes
            order.append(digest)
            total += bytes.count
            while total > capacity, !order.isEmpty {
                let oldest = order.removeFirst()
                total -= entries.removeValue(forKey: oldest)?.count ?? 0
            }
        }
    }
}
