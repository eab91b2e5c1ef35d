// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The independent implementations ScanTests compare against, each run once per batch: lines in on
/// stdin, one answer line out per input line.
enum Oracle {
    /// The repository root (this file is Tests/ScanTests/Oracle.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let venvPython = repositoryRoot + "/.venv-test/bin/python"
    static let systemPython = "/usr/bin/python3"
    static let script = repositoryRoot + "/Tests/interop/scan_oracle.py"
    static let hint = "run scripts/install-test-deps.sh (univers, cvss in .venv-test; python3-rpm; dpkg)"

    /// univers's order for `kind` (pypi, npm, alpine, maven, golang): -1, 0, 1, or nil where it refused a version.
    static func univers(_ kind: String, _ pairs: [(String, String)]) throws -> [Int?] {
        try compareLines(try run([venvPython, script, kind], input: pairs.map { "\($0.0)\t\($0.1)" }))
    }

    /// rpm's `labelCompare` (python3-rpm, the system interpreter).
    static func rpm(_ pairs: [(String, String)]) throws -> [Int?] {
        try compareLines(try run([systemPython, script, "rpm"], input: pairs.map { "\($0.0)\t\($0.1)" }))
    }

    /// `dpkg --compare-versions`, driven by one shell loop (dpkg has no batch mode).
    static func dpkg(_ pairs: [(String, String)]) throws -> [Int?] {
        let loop = """
            while IFS="$(printf '\\t')" read -r a b; do
              if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1
              elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
              elif dpkg --compare-versions "$a" gt "$b" 2>/dev/null; then echo 1
              else echo E; fi
            done
            """
        return try compareLines(try run(["/bin/sh", "-c", loop], input: pairs.map { "\($0.0)\t\($0.1)" }))
    }

    /// The `cvss` package's base score and rating for each vector ("9.8 CRITICAL"), nil where it refused.
    static func cvss(_ kind: String, _ vectors: [String]) throws -> [String?] {
        try run([venvPython, script, kind], input: vectors).map { $0 == "E" ? nil : $0 }
    }

    static var hasVenv: Bool { FileManager.default.isExecutableFile(atPath: venvPython) }

    private static func compareLines(_ lines: [String]) throws -> [Int?] {
        lines.map { Int($0) }
    }

    /// Runs `arguments` with `input` lines on stdin (through a file, so no pipe can deadlock).
    static func run(_ arguments: [String], input: [String]) throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: arguments[0]) else {
            throw OracleError("\(arguments[0]) is missing: \(hint)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scan-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in")
        let outputFile = directory.appendingPathComponent("out")
        let errorFile = directory.appendingPathComponent("err")
        try Data((input.joined(separator: "\n") + "\n").utf8).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: try Data(contentsOf: outputFile), as: UTF8.self)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        guard process.terminationStatus == 0, lines.count == input.count else {
            let error = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
            throw OracleError(
                "\(arguments.joined(separator: " ")) exited \(process.terminationStatus) with \(lines.count) of \(input.count) answers: \(error.suffix(2000)) (\(hint))"
            )
        }
        return lines
    }
}

struct OracleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A small deterministic generator (SplitMix64), so generated cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
