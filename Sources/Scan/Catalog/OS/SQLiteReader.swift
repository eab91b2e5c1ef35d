// SPDX-License-Identifier: Apache-2.0
import CSQLite
import Foundation

/// A SQLite database file opened read-only and immutable (no journal or WAL files are looked for or made).
/// The one Scan catalog file that touches libsqlite3.
final class SQLiteReader {
    private let handle: OpaquePointer

    /// - Throws: `RPMHeaderError` (the message) when the file is not a SQLite database.
    init(path: String) throws {
        var handle: OpaquePointer?
        let uri = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
        let status = sqlite3_open_v2(uri, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw RPMHeaderError("not a readable SQLite database (\(message))")
        }
        self.handle = handle
    }

    deinit { sqlite3_close(handle) }

    /// Runs `sql` and hands the first column of each row, as bytes, to `body`.
    func forEachBlob(_ sql: String, _ body: (Data) throws -> Void) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw RPMHeaderError("not an rpm database (\(String(cString: sqlite3_errmsg(handle))))")
        }
        defer { sqlite3_finalize(statement) }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else {
                throw RPMHeaderError("reading the database failed (\(String(cString: sqlite3_errmsg(handle))))")
            }
            let count = Int(sqlite3_column_bytes(statement, 0))
            let data = sqlite3_column_blob(statement, 0).map { Data(bytes: $0, count: count) } ?? Data()
            try body(data)
        }
    }
}
