// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import TestSupport

/// Runs the built `ocitool` binary the way a user does, capturing its output.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built binary (see `BuiltBinary.ocitool`), or `ocitool` from `PATH`.
    static var binary: String { BuiltBinary.ocitool ?? "ocitool" }

    /// Starts ocitool without waiting; `environment` is added to this process's own.
    static func start(_ arguments: [String], stdin: FileHandle? = nil, environment: [String: String] = [:]) throws
        -> (Process, Pipe, Pipe)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        if let stdin { process.standardInput = stdin } else { process.standardInput = FileHandle.nullDevice }
        try process.run()
        return (process, output, error)
    }

    /// Waits for processes started with `start`, draining their output; returns their exit statuses.
    static func waitAll(_ processes: [(Process, Pipe, Pipe)]) -> [Int32] {
        processes.map { process, output, error in
            _ = output.fileHandleForReading.readDataToEndOfFile()
            _ = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Runs ocitool to completion.
    @discardableResult
    static func run(_ arguments: [String], stdin: FileHandle? = nil, environment: [String: String] = [:]) throws
        -> Result
    {
        let (process, output, error) = try start(arguments, stdin: stdin, environment: environment)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// Starts `ocitool serve` on a free loopback port; returns the process and its announced `/v2/` URL.
    static func startServer(root: String, _ arguments: [String] = []) throws -> (Process, String) {
        let (process, output, _) = try start(["serve", "--root", root, "--port", "0", "--log-level", "error"] + arguments)
        return (process, announcedURL(output))
    }

    /// The `/v2/` URL a starting `ocitool serve` announces on `output` ("serving ROOT at URL"), once it serves.
    static func announcedURL(_ output: Pipe) -> String {
        var announced = ""
        while !announced.contains("/v2/\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            announced += String(decoding: chunk, as: UTF8.self)
        }
        let line = announced.split(separator: "\n").first { $0.hasPrefix("serving ") } ?? ""
        return line.split(separator: " ").last.map(String.init) ?? ""
    }

    /// GETs a URL with curl; returns the HTTP status and the body.
    static func get(_ url: String) throws -> (Int, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-w", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    static func temporaryDirectory() -> String {
        let path = TestScratch.directory("ocitool-cli").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a legacy `docker save` tarball holding one image per entry of `tags` ("name:tag"), each with
    /// `layers` random layers of `layerSize` bytes.
    static func makeDockerArchive(at path: String, tags: [String], layers: Int = 2, layerSize: Int = 4096) throws {
        let writer = try ArchiveWriter(path: path)
        var entries: [[String: Any]] = []
        for (number, tag) in tags.enumerated() {
            var layerPaths: [String] = []
            var diffIDs: [String] = []
            for layer in 0..<layers {
                let content = Data((0..<layerSize).map { _ in UInt8.random(in: 0...255) })
                let layerTar = try tarWithOneFile(named: "file\(layer)", content: content)
                let name = "layer\(number)-\(layer)/layer.tar"
                try writer.addFile(name, contents: layerTar)
                layerPaths.append(name)
                diffIDs.append(Digest.sha256(of: layerTar).description)
            }
            let config: [String: Any] = [
                "architecture": "amd64", "os": "linux", "rootfs": ["type": "layers", "diff_ids": diffIDs],
            ]
            let configData = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
            let configName = Digest.sha256(of: configData).encoded + ".json"
            try writer.addFile(configName, contents: configData)
            entries.append(["Config": configName, "RepoTags": [tag], "Layers": layerPaths])
        }
        try writer.addFile("manifest.json", contents: try JSONSerialization.data(withJSONObject: entries))
        try writer.finish()
    }

    private static func tarWithOneFile(named name: String, content: Data) throws -> Data {
        let path = temporaryDirectory() + "/layer.tar"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let writer = try ArchiveWriter(path: path)
        try writer.addFile(name, contents: content)
        try writer.finish()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
