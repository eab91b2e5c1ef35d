// SPDX-License-Identifier: Apache-2.0
import Glibc

/// Loopback addresses as docker and the registry treat them: `localhost`, `::1` (bracketed or not) and
/// 127.0.0.0/8. `serve` serves plain HTTP there only; the client treats a registry there as insecure.
package enum LoopbackAddress {
    /// Whether `host` (no port) is a loopback address.
    package static func contains(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, bare, &address) == 1 && (UInt32(bigEndian: address.s_addr) >> 24) == 127
    }

    /// Whether the host of `registry` (`host[:port]`, `[v6][:port]`) is a loopback address.
    package static func contains(registry: String) -> Bool {
        var host = Substring(registry)
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            host = host[...end]
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            host = host[..<colon]
        }
        return contains(String(host))
    }
}
