// SPDX-License-Identifier: Apache-2.0
import Glibc
import NIOSSL

extension ServeConfiguration {
    /// The NIOSSL server configuration of `tls` (nil when serving plain HTTP).
    /// - Throws: `ConfigurationError` naming the file that cannot be read or parsed.
    func makeTLSConfiguration() throws(ConfigurationError) -> TLSConfiguration? {
        guard let tls else { return nil }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certificate)
        } catch {
            throw ConfigurationError(
                "tls certificate \(tls.certificate): \(ServeConfiguration.describe(error, tls.certificate))")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError("tls certificate \(tls.certificate): no certificate in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        } catch {
            throw ConfigurationError("tls key \(tls.key): \(ServeConfiguration.describe(error, tls.key))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCA = tls.clientCA {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(clientCA)
                guard !roots.isEmpty else {
                    throw ConfigurationError("tls clientCA \(clientCA): no certificate in the file")
                }
                configuration.trustRoots = .certificates(roots)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("tls clientCA \(clientCA): \(ServeConfiguration.describe(error, clientCA))")
            }
            // Clients must present a certificate that chains to the CA (host names are not checked).
            configuration.certificateVerification = .noHostnameVerification
        }
        // Check that the key belongs to the certificate now rather than at the first handshake.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(
                "tls: the key \(tls.key) does not fit the certificate \(tls.certificate) (\(error))")
        }
        return configuration
    }

    private static func describe(_ error: any Error, _ path: String) -> String {
        access(path, R_OK) == 0
            ? "not a valid PEM file (\(error))" : "cannot read the file (\(String(cString: strerror(errno))))"
    }
}
