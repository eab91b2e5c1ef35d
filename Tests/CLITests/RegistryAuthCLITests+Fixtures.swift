// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// The servers, runs and images the credential tests share.
extension RegistryAuthCLITests {
    /// A running `ocitool serve` and the directory holding its store and files.
    final class Server {
        let process: Process
        let host: String
        let directory: String

        /// - Parameter arguments: serve's flags beyond --root and --port; `HTPASSWD` stands for a file of
        ///   alice's and bob's hashes.
        init(_ arguments: [String] = []) throws {
            let directory = CLIRunner.temporaryDirectory()
            self.directory = directory
            try RegistryAuthCLITests.htpasswd.write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            let flags = arguments.map { $0 == "HTPASSWD" ? directory + "/htpasswd" : $0 }
            let (process, output, _) = try CLIRunner.start(
                ["serve", "--root", directory + "/store", "--port", "0", "--log-level", "error"] + flags)
            var announced = ""
            while !announced.contains("/v2/\n") {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                announced += String(decoding: chunk, as: UTF8.self)
            }
            self.process = process
            let url = announced.split(separator: "\n").first { $0.hasPrefix("serving ") }?.split(separator: " ").last ?? ""
            host = url.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs ocitool with extra environment variables and `stdin` as its input.
    static func run(_ arguments: [String], environment: [String: String], stdin: String? = nil) throws -> CLIRunner.Result {
        let input = Pipe()
        try input.fileHandleForWriting.write(contentsOf: Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        return try CLIRunner.run(arguments, stdin: input.fileHandleForReading, environment: environment)
    }

    /// A layout holding `app:1.0`.
    static func layout(in directory: String) throws -> String {
        let archive = directory + "/image.tar"
        try CLIRunner.makeDockerArchive(at: archive, tags: ["app:1.0"], layers: 1, layerSize: 4096)
        let path = directory + "/layout"
        let result = try CLIRunner.run(["import", archive, path])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }
}
