// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// `ocitool serve` with its JSON access log in a file: what the kill-and-rerun tests count bytes by.
struct LoggedServer {
    let process: Process
    /// `HOST:PORT`.
    let host: String
    /// The access log (the server's standard error).
    let log: String

    /// Starts `ocitool serve --root ROOT` on a free loopback port.
    init(root: String, log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["serve", "--root", root, "--port", "0", "--log-format", "json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let url = CLIRunner.announcedURL(output)
        self.process = process
        self.host = URLComponents(string: url).map { "\($0.host ?? ""):\($0.port ?? 0)" } ?? ""
        self.log = log
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// The access log's size now: a mark to read the lines after.
    var mark: Int { (try? Data(contentsOf: URL(fileURLWithPath: log)).count) ?? 0 }

    /// Access log lines written after `mark`, as JSON objects.
    func lines(after mark: Int) -> [[String: Any]] {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: log)), data.count > mark else { return [] }
        return data[mark...].split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }.filter { $0["message"] as? String == "request" }
    }
}
