// SPDX-License-Identifier: Apache-2.0
package import Foundation

/// The trust and client certificates a client's transfers use, read once from `TransportOptions`.
///
/// A certificate directory works like containers' `certs.d/HOST/`: every `*.crt` is a CA trusted in addition
/// to the system's (the system bundle and these certificates are handed to libcurl together, in memory), and a
/// `NAME.cert` with a matching `NAME.key` is the client certificate.
package struct TLSMaterial: Sendable, Hashable {
    /// PEM CA certificates to trust (system bundle first), when a certificate directory adds some.
    package var caBundle: Data?
    /// Client certificate and key files (PEM).
    package var clientCertificate: String?
    package var clientKey: String?

    package init(_ options: TransportOptions) {
        guard let directory = options.certDirectory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return }
        var bundle = Data()
        for name in names.sorted() where name.hasSuffix(".crt") {
            guard let pem = FileManager.default.contents(atPath: "\(directory)/\(name)") else { continue }
            bundle.append(pem)
            bundle.append(0x0A)
        }
        if !bundle.isEmpty {
            let system = (options.caFile ?? CurlEasy.defaultCABundle).flatMap { FileManager.default.contents(atPath: $0) }
            caBundle = (system ?? Data()) + [0x0A] + bundle
        }
        for name in names.sorted() where name.hasSuffix(".cert") {
            let key = "\(directory)/\(name.dropLast(".cert".count)).key"
            if FileManager.default.fileExists(atPath: key) {
                clientCertificate = "\(directory)/\(name)"
                clientKey = key
                break
            }
        }
    }
}
