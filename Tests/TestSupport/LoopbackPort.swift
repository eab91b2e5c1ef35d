// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

/// Loopback ports for servers the tests start.
public enum LoopbackPort {
    /// A port nothing listens on right now (bound to port 0 and released).
    public static func free() throws -> Int {
        let (descriptor, port) = try bound(listening: false)
        close(descriptor)
        return port
    }

    /// A socket listening on a free loopback port, to hold a port busy; the caller closes `descriptor`.
    public static func held() throws -> (descriptor: Int32, port: Int) {
        try bound(listening: true)
    }

    private static func bound(listening: Bool) throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 1) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Waits (up to 5 s) until `GET /v2/` on the port answers 200, asking curl every 50 ms while `alive` holds.
    public static func waitUntilServing(_ port: Int, while alive: () -> Bool, tls: Bool = false) -> Bool {
        let url = "\(tls ? "https" : "http")://127.0.0.1:\(port)/v2/"
        for _ in 0..<100 {
            guard alive() else { return false }
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sk", "-o", "/dev/null", "--max-time", "2", "--fail", url]
            curl.standardOutput = FileHandle.nullDevice
            curl.standardError = FileHandle.nullDevice
            if (try? curl.run()) != nil {
                curl.waitUntilExit()
                if curl.terminationStatus == 0 { return true }
            }
            usleep(50_000)
        }
        return false
    }
}
