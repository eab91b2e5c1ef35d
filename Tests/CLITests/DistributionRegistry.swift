// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// CNCF distribution 2.8 (`/usr/bin/docker-registry`) on a free loopback port over a temporary directory, for
/// driving the binary against a registry that has no referrers API.
final class DistributionRegistry {
    static let binary = "/usr/bin/docker-registry"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let root: String
    let port: Int
    private let process: Process

    var host: String { "127.0.0.1:\(port)" }

    init() throws {
        root = CLIRunner.temporaryDirectory()
        for _ in 0..<5 {
            let port = try DistributionRegistry.freePort()
            let config = """
                version: 0.1
                log: {level: error, accesslog: {disabled: true}}
                storage: {filesystem: {rootdirectory: \(root)/data}, delete: {enabled: true}}
                http: {addr: 127.0.0.1:\(port)}
                """
            try config.write(toFile: root + "/config.yml", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DistributionRegistry.binary)
            process.arguments = ["serve", root + "/config.yml"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 where process.isRunning {
                if (try? CLIRunner.get("http://127.0.0.1:\(port)/v2/"))?.0 == 200 {
                    self.port = port
                    self.process = process
                    return
                }
                usleep(50_000)
            }
            process.terminate()
            process.waitUntilExit()
        }
        throw POSIXError(.ECONNREFUSED)
    }

    /// Kills the registry and removes its storage.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    deinit { stop() }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
