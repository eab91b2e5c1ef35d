// SPDX-License-Identifier: Apache-2.0
import CSQLite
import Foundation

/// A connection to one SQLite database file (the vulnerability database, an image's rpmdb.sqlite): the one
/// Scan file that touches libsqlite3. Values only
/// ever travel as bound parameters of prepared statements; SQL text is constant.
///
/// Confined to one task at a time (SQLite's own serialisation is off: `SQLITE_OPEN_NOMUTEX`).
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    /// Opens `path`; `readOnly` never creates or writes it, and `immutable` (a file nothing else writes, such
    /// as an image's rpmdb.sqlite spooled from a layer) also never looks for or makes journal or WAL files.
    /// - Throws: `ScanError.database` when SQLite cannot open it.
    init(path: String, readOnly: Bool, immutable: Bool = false) throws {
        var handle: OpaquePointer?
        var flags =
            (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_URI
            name = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
        }
        let status = sqlite3_open_v2(name, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw ScanError.database(path: path, message: message)
        }
        self.handle = handle
        self.path = path
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { _ = sqlite3_close_v2(handle) }

    /// Runs constant SQL (schema, pragmas, transaction control): no values, no results.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard status == SQLITE_OK else {
            throw error(status, message.map { String(cString: $0) })
        }
    }

    /// A prepared statement for constant SQL with `?` parameters.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws,
    /// so a failure leaves the database as it was.
    func transaction<T>(_ body: () throws -> T) throws -> T { try inTransaction("BEGIN IMMEDIATE", body) }

    /// Runs `body` in one read transaction: one consistent snapshot, and one shared lock for all its
    /// statements instead of a lock, a journal check and a header read for each. Inside a transaction already
    /// open, it just runs `body`.
    func reading<T>(_ body: () throws -> T) throws -> T {
        guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
        return try inTransaction("BEGIN", body)
    }

    /// Runs `body` between `begin` and `COMMIT`, rolling back when it throws.
    private func inTransaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The error for a failed call: `notADatabase` for a file that is not SQLite, else SQLite's message.
    func error(_ status: Int32, _ message: String? = nil) -> ScanError {
        if status & 0xFF == SQLITE_NOTADB { return .notADatabase(path: path) }
        return .database(path: path, message: message ?? String(cString: sqlite3_errmsg(handle)))
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case blob(Data)
    case null
}

/// One prepared statement; reset and re-bound for each use.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`, a macro Swift cannot import).
    nonisolated(unsafe) private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    fileprivate init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `values` to its parameters, in order.
    func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite3_bind_int64(handle, index, number)
            case .text(let text): status = sqlite3_bind_text(handle, index, text, -1, Self.transient)
            case .blob(let data):
                status = data.withUnsafeBytes { bytes in
                    sqlite3_bind_blob64(handle, index, bytes.baseAddress, sqlite3_uint64(bytes.count), Self.transient)
                }
            case .null: status = sqlite3_bind_null(handle, index)
            }
            guard status == SQLITE_OK else { throw connection.error(status) }
        }
    }

    /// Advances to the next row: true when there is one.
    func step() throws -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(status)
        }
    }

    /// Binds `values` and runs the statement to its end (an insert, update or delete).
    func run(_ values: [SQLiteValue]) throws {
        try bind(values)
        while try step() {}
    }

    /// Binds `values` and calls `row` for each result row.
    func query(_ values: [SQLiteValue], _ row: (SQLiteStatement) throws -> Void) throws {
        try bind(values)
        while try step() { try row(self) }
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: pointer)
    }

    func blob(_ column: Int32) -> Data {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: pointer, count: count)
    }
}
