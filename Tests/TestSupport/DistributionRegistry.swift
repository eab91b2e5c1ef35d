// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// CNCF distribution 2.8 (Debian's `/usr/bin/docker-registry`) on a free loopback port, storing into a new
/// temporary directory with deletes enabled, optionally over TLS. It has no referrers API, so pushes to it
/// exercise the fallback tag schema. Shared by the CLI and Sync tests.
public final class DistributionRegistry {
    public static let binary = "/usr/bin/docker-registry"
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public let port: Int
    /// The temporary directory holding the configuration, the storage (`data/`) and any certificates.
    public let root: String
    /// With TLS: the directory holding `ca.crt` (the CA that signed the server's certificate).
    public let certificates: String?
    private let process: Process

    public var host: String { "127.0.0.1:\(port)" }

    /// - Parameter tls: serve HTTPS with a certificate for 127.0.0.1 signed by a CA made for the test.
    public init(tls: Bool = false) throws {
        root = TestScratch.directory("ocitool-registry")
            .path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        certificates = tls ? try TestCertificateAuthority.make(in: root + "/certs") : nil
        let tlsConfig = certificates.map { "\n  tls:\n    certificate: \($0)/server.pem\n    key: \($0)/server.key" } ?? ""
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            let config = """
                version: 0.1
                log:
                  level: error
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: \(root)/data
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:\(port)\(tlsConfig)
                """
            try config.write(toFile: "\(root)/config.yml", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DistributionRegistry.binary)
            process.arguments = ["serve", "\(root)/config.yml"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if LoopbackPort.waitUntilServing(port, while: { process.isRunning }, tls: tls) {
                self.port = port
                self.process = process
                return
            }
            process.terminate()
            process.waitUntilExit()
        }
        throw POSIXError(.ECONNREFUSED)
    }

    /// Kills the registry and removes its storage.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    deinit { stop() }
}
