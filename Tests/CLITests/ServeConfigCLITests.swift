// SPDX-License-Identifier: Apache-2.0
import Foundation
import TestSupport
import Testing

/// `ocitool serve --config FILE --check-config`, as an operator runs it before (re)starting the registry.
@Suite("ocitool serve --check-config")
struct ServeConfigCLITests {
    /// A port another program holds: one error line that says so and what to do, exit 1, nothing served.
    @Test func aPortInUseIsNamed() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (holder, port) = try LoopbackPort.held()
        defer { close(holder) }
        let result = try CLIRunner.run(["serve", "--root", directory + "/store", "--port", "\(port)"])
        #expect(result.status == 1)
        #expect(
            result.stderr == "error: cannot listen on 127.0.0.1:\(port): the address is already in use\n"
                + "hint: stop the program listening there, or pick another port with --port\n")
    }

    @Test func checkConfigPrintsTheEffectiveConfigurationOrOnePreciseError() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/serve.yaml"
        try "root: store\nport: 5001\ngc:\n  interval: 12h\n".write(toFile: config, atomically: true, encoding: .utf8)
        // Valid: exit 0, the effective configuration on stdout; flags override the file.
        var result = try CLIRunner.run(["serve", "--config", config, "--port", "6000", "--check-config"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("root: \"\(directory)/store\""))
        #expect(result.stdout.contains("port: 6000"))
        #expect(result.stdout.contains("interval: 12h"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/store"), "--check-config serves nothing")
        // A typo: exit 2, one line naming file, line and column.
        try "root: store\nhots: 0.0.0.0\n".write(toFile: config, atomically: true, encoding: .utf8)
        result = try CLIRunner.run(["serve", "--config", config, "--check-config"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(config):2:1: unknown setting 'hots'"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        // Plain HTTP off loopback is refused unless asked for.
        result = try CLIRunner.run(["serve", "--root", directory + "/s", "--host", "0.0.0.0", "--check-config"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a loopback address"))
        result = try CLIRunner.run([
            "serve", "--root", directory + "/s", "--host", "0.0.0.0", "--insecure-http", "--check-config",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("insecureHTTP: true"))
        // A bad flag value is as precise.
        result = try CLIRunner.run(["serve", "--root", directory + "/s", "--gc-interval", "soon", "--check-config"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: --gc-interval: invalid duration 'soon'"))
    }

    /// Every configuration file under examples/ is valid as shipped, so copying one is a working start.
    @Test func everyExampleConfigurationPassesCheckConfig() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../examples").standardized.path
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files where !file.hasPrefix("sync") {
            let result = try CLIRunner.run(["serve", "--config", "\(examples)/\(file)", "--check-config"])
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }

    /// A file the configuration names but that cannot be read is reported where the configuration names it.
    @Test func anUnreadableFileIsReportedWhereTheConfigurationNamesIt() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/serve.yaml"
        try "root: store\ntls:\n  certificate: missing.pem\n  key: key.pem\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["serve", "--config", config, "--check-config"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(config):3:16: tls certificate \(directory)/missing.pem: cannot read"), "\(result.stderr)")
    }

    @Test func sigtermStopsServeGracefullyAndJSONLogsAreJSON() throws {
        let directory = CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (process, output, error) = try CLIRunner.start([
            "serve", "--root", directory + "/store", "--port", "0", "--log-format", "json",
        ])
        // Wait until it serves (it prints its address), then ask it to stop.
        var printed = Data()
        let deadline = Date().addingTimeInterval(20)
        while !String(decoding: printed, as: UTF8.self).contains("/v2/\n"), Date() < deadline {
            printed.append(output.fileHandleForReading.availableData)
        }
        let text = String(decoding: printed, as: UTF8.self)
        #expect(text.hasPrefix("created an empty store at \(directory)/store\nserving \(directory)/store at http://127.0.0.1:"))
        process.terminate()  // SIGTERM
        let rest = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: rest, as: UTF8.self).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] != nil, "not a JSON log line: \(line)")
        }
    }
}
