// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The Python scripts under Tests/interop/ that check ocitool against independent implementations, run with the
/// venv scripts/install-test-deps.sh creates (.venv-test/ at the repository root).
public struct InteropScript: Sendable {
    /// The repository root (this file is Tests/TestSupport/InteropScript.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// The venv's interpreter.
    public static let venvPython = repositoryRoot + "/.venv-test/bin/python"

    /// What a run printed on stdout (stderr goes to the test's) and how it exited.
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
    }

    /// The script's path.
    public let path: String

    /// `name` is a file in Tests/interop/ (`trust_interop.py`).
    public init(_ name: String) {
        path = Self.repositoryRoot + "/Tests/interop/" + name
    }

    /// True when the venv exists (a test `#require`s it, saying to run scripts/install-test-deps.sh).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: venvPython) }

    /// Runs the script with `arguments` in the venv.
    public func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.venvPython)
        process.arguments = [path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
