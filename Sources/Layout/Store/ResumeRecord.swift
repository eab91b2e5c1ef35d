// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// A small piece of state a layout keeps so that interrupted work resumes in the next run: one line of text
/// (e.g. the registry upload session a push from this layout was writing to) under a key, in
/// `.ocitool/resume/<sha256 of the key>`, readable by the owner only.
///
/// One owner at a time: opening takes an exclusive `flock` on the record, held until the value is dropped, so
/// two runs doing the same work never share it. gc and `fsck --repair` remove records no one holds once they
/// are older than a day (`TemporaryFile.resumableGrace`). Holds nothing secret: callers store locations, not
/// credentials.
///
/// Confined to one task at a time.
public final class ResumeRecord {
    /// Largest record read back.
    static let sizeLimit = 64 * 1024
    private let file: FileDescriptor

    private init(file: FileDescriptor) { self.file = file }

    /// Opens (creating when missing) the record for `key` in `layout` and takes it.
    /// - Returns: the record, or nil when another owner holds it.
    /// - Throws: I/O errors (a read-only layout cannot keep records).
    public static func open(in layout: OCILayout, key: String) throws(LayoutError) -> ResumeRecord? {
        try FileSystem.makeDirectories(layout.resumeRecordsPath)
        let path = "\(layout.resumeRecordsPath)/\(Digest.sha256(of: Data(key.utf8)).encoded)"
        return try FileDescriptor.openLocked(path: path, mode: 0o600).map(ResumeRecord.init(file:))
    }

    /// The value saved last, or nil when there is none (or a write of it was cut short).
    public var value: String? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ResumeRecord.sizeLimit, alignment: 1)
        defer { buffer.deallocate() }
        guard let count = try? file.read(into: buffer, at: 0), count > 0, count < ResumeRecord.sizeLimit else {
            return nil
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        // A complete write ends with a newline.
        guard text.hasSuffix("\n") else { return nil }
        return String(text.dropLast())
    }

    /// Replaces the value (one line).
    public func save(_ value: String) throws(LayoutError) {
        let line = value.replacingOccurrences(of: "\n", with: " ") + "\n"
        try file.truncate(to: 0)
        try Data(line.utf8).withBytes { (bytes) throws(LayoutError) in try file.writeAll(bytes) }
    }

    /// Deletes the record (the work is done).
    public func remove() {
        if file.isStillAtPath { unlink(file.path) }
    }
}

extension OCILayout {
    /// `.ocitool/resume/`: `ResumeRecord`s.
    var resumeRecordsPath: String { privatePath + "/resume" }
}
