// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Sync

/// CNCF distribution 2.8 (`/usr/bin/docker-registry`) on a free loopback port, storing into a temporary
/// directory with deletes enabled. It has no referrers API, so pushes exercise the fallback tag schema.
final class DockerRegistry {
    static let binary = "/usr/bin/docker-registry"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let port: Int
    let root: String
    private let process: Process
    /// With TLS: the directory holding `ca.crt` (the CA that signed the server's certificate).
    let certificates: String?

    var host: String { "127.0.0.1:\(port)" }

    /// - Parameter tls: serve HTTPS with a certificate for 127.0.0.1 signed by a CA made for the test.
    init(tls: Bool = false) throws {
        root = SyncFixtures.temporaryDirectory()
        certificates = tls ? try DockerRegistry.makeCertificates(in: root) : nil
        let tlsConfig = certificates.map { "\n  tls:\n    certificate: \($0)/server.pem\n    key: \($0)/server.key" } ?? ""
        var started: (Int, Process)?
        for _ in 0..<5 {
            let port = try DockerRegistry.freePort()
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
            let configPath = "\(root)/config.yml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DockerRegistry.binary)
            process.arguments = ["serve", configPath]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            if DockerRegistry.waitUntilServing(port: port, process: process, tls: tls) {
                started = (port, process)
                break
            }
            process.terminate()
            process.waitUntilExit()
        }
        guard let (port, process) = started else { throw POSIXError(.ECONNREFUSED) }
        self.port = port
        self.process = process
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

    /// A client of this registry over plain HTTP, retrying quickly.
    func client(_ name: String? = nil) -> RegistryClient {
        RegistryClient(
            registry: name ?? host,
            configuration: RegistryConfiguration(plainHTTP: true, retry: RetryPolicy(initialDelay: 0.05)))
    }

    func repository(_ name: String) -> RemoteRegistry { RemoteRegistry(client: client(), repository: name) }

    private static func waitUntilServing(port: Int, process: Process, tls: Bool) -> Bool {
        let client = RegistryClient(
            registry: "127.0.0.1:\(port)",
            configuration: RegistryConfiguration(
                plainHTTP: !tls, transport: TransportOptions(tlsVerify: false), retry: RetryPolicy(maxAttempts: 1)))
        for _ in 0..<100 {
            guard process.isRunning else { return false }
            if (try? client.checkAuthentication()) != nil { return true }
            usleep(50_000)
        }
        return false
    }

    /// A CA and a server certificate for 127.0.0.1 and localhost, made with the openssl command.
    private static func makeCertificates(in root: String) throws -> String {
        let directory = "\(root)/certs"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: "\(directory)/san.cnf", atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for arguments in [
            ["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=ocitool test CA"],
            ["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "san.cnf"],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw POSIXError(.EINVAL) }
        }
        return directory
    }

    /// A port nothing listens on right now (bound to port 0 and released).
    static func freePort() throws -> Int {
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
