// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Glibc

/// index.json on the file system: versions are file stamps (device, inode, size, times), replaced by writing a
/// temporary file, fsyncing it and renaming it over index.json; writers serialize on an exclusive `flock` of
/// `.ocitool/lock`, which also makes the compare-and-swap atomic against other processes.
extension FileSystemStorage {
    /// Layout roots whose lock the current task (or thread) holds, so `serializingWriters` is reentrant.
    @TaskLocal static var lockedRoots: Set<String> = []

    public func indexVersion() -> IndexVersion? { FileStamp(path: indexPath).map(IndexVersion.init(file:)) }

    public func readIndex(limit: Int) throws(LayoutError) -> (data: Data, version: IndexVersion)? {
        let file: FileDescriptor
        do { file = try FileDescriptor(path: indexPath, flags: O_RDONLY) } catch {
            if case .io(_, _, let code) = error, code == ENOENT { return nil }
            throw error
        }
        // The stamp of the open file: exactly the bytes read, even if index.json is replaced meanwhile.
        guard let stamp = FileStamp(descriptor: file) else { throw .io("stat", path: indexPath, errno: errno) }
        return (try FileSystem.readFile(file, limit: limit), IndexVersion(file: stamp))
    }

    public func replaceIndex(with data: Data, ifVersion expected: IndexVersion?) throws(LayoutError)
        -> IndexVersion?
    {
        try serializingWriters { () throws(LayoutError) -> IndexVersion? in
            guard indexVersion() == expected else { return nil }
            try FileSystem.writeAtomically(data, to: indexPath)
            return indexVersion()
        }
    }

    public func serializingWriters<T>(_ body: () throws(LayoutError) -> T) throws(LayoutError) -> T {
        let held = FileSystemStorage.lockedRoots
        if held.contains(root) { return try body() }
        let lock = try lockExclusive()
        defer { withExtendedLifetime(lock) {} }
        return try FileSystemStorage.$lockedRoots.withValue(held.union([root])) {
            Result { () throws(LayoutError) in try body() }
        }.get()
    }

    /// Takes the layout's exclusive lock; it is held until the returned descriptor is released. (Not
    /// reentrant: `serializingWriters` is.)
    func lockExclusive() throws(LayoutError) -> FileDescriptor {
        try FileSystem.makeDirectories(privatePath)
        let lock = try FileDescriptor(path: lockPath, flags: O_RDWR | O_CREAT, mode: 0o644)
        try lock.lockExclusive()
        return lock
    }
}
