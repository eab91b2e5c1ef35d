// SPDX-License-Identifier: Apache-2.0
import Foundation
import Scan

/// Drives one cataloger over one file, as the layer walker will: the header first (`wants`), then the contents
/// streamed once through a `CatalogFile`.
struct CatalogHarness {
    var packages: [CatalogedPackage] = []
    var skips: [CatalogSkip] = []
    /// Bytes the cataloger pulled from the file.
    var bytesRead: Int64 = 0
    var wanted = false

    /// Streams `read` (the file's bytes, chunk by chunk) to `cataloger` under the header `entry`.
    init(_ cataloger: any Cataloger, entry: CatalogEntry, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int)
        throws
    {
        wanted = cataloger.wants(entry)
        guard wanted else { return }
        let counter = Counter()
        var file = CatalogFile(entry: entry, layer: nil) { buffer in
            let count = try read(buffer)
            counter.total += Int64(count)
            return count
        }
        packages = try cataloger.catalog(&file, context: CatalogContext(distro: nil), skips: &skips)
        bytesRead = counter.total
    }

    /// `data` at `path`, delivered in chunks of at most `chunk` bytes.
    init(_ cataloger: any Cataloger, path: String, data: Data, chunk: Int = 64 << 10, executable: Bool = false)
        throws
    {
        var offset = 0
        try self.init(cataloger, entry: CatalogEntry(path: path, size: Int64(data.count), isExecutable: executable)) {
            buffer in
            let count = min(buffer.count, chunk, data.count - offset)
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<offset + count)
            offset += count
            return count
        }
    }

    /// `text` at `path`.
    init(_ cataloger: any Cataloger, path: String, text: String, chunk: Int = 64 << 10) throws {
        try self.init(cataloger, path: path, data: Data(text.utf8), chunk: chunk)
    }

    /// The file at `url` streamed from disk (never read whole), offered as `path`.
    init(_ cataloger: any Cataloger, path: String, file url: URL, executable: Bool = false) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
        try self.init(cataloger, entry: CatalogEntry(path: path, size: size, isExecutable: executable)) { buffer in
            let data = try handle.read(upToCount: buffer.count) ?? Data()
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: data.count)
            return data.count
        }
    }

    /// name@version of every package, sorted.
    var coordinates: [String] { packages.map { "\($0.name)@\($0.version)" }.sorted() }

    private final class Counter: @unchecked Sendable {
        var total: Int64 = 0
    }
}

/// Runs a command to its end; its standard output, or an error naming its status and standard error.
func runCommand(_ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: arguments[0]) else {
        throw OracleError("\(arguments[0]) is missing: run scripts/install-test-deps.sh")
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scan-lang-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let output = scratch.appendingPathComponent("out")
    let error = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    _ = FileManager.default.createFile(atPath: error.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = try FileHandle(forWritingTo: error)
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = String(decoding: (try? Data(contentsOf: error)) ?? Data(), as: UTF8.self)
        throw OracleError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(message.suffix(2000))")
    }
    return String(decoding: try Data(contentsOf: output), as: UTF8.self)
}

/// A fresh temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("scan-lang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
