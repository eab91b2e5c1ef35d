// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout
import Sync
import TestSupport
import Testing

/// HTTPS with a certificate from a private CA: rejected by default, trusted through a CA file or a certificate
/// directory, or accepted unverified.
@Suite(.enabled(if: DockerRegistry.isAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct TLSTests {
    @Test func privateCertificatesNeedTrust() throws {
        let registry = try DockerRegistry(tls: true)
        defer { registry.stop() }
        let certificates = try #require(registry.certificates)
        let source = try SyncFixtures.layout()
        defer { SyncFixtures.remove(source) }
        let image = try SyncFixtures.image(in: source, tag: "1.0", layers: [1000])
        func remote(_ transport: TransportOptions) -> RemoteRegistry {
            let configuration = RegistryConfiguration(transport: transport, retry: RetryPolicy(maxAttempts: 1))
            return RemoteRegistry(client: RegistryClient(registry: registry.host, configuration: configuration), repository: "tls")
        }

        #expect {
            try ImageCopy(from: LayoutEndpoint(source), to: remote(TransportOptions())).copy(.tag("1.0"), tag: "1.0")
        } throws: { error in
            // Curl's code 60 is what the CLI's --cert-dir hint answers (ErrorReportTests).
            guard let error = error as? SyncError, case .transfer(_, let curl) = error else { return false }
            return curl.code == 60 && error.description.contains(registry.host)
        }

        try ImageCopy(from: LayoutEndpoint(source), to: remote(TransportOptions(caFile: "\(certificates)/ca.crt")))
            .copy(.tag("1.0"), tag: "1.0")
        let directory = SyncFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: "\(certificates)/ca.crt", toPath: "\(directory)/ca.crt")
        #expect(try remote(TransportOptions(certDirectory: directory)).resolve(.tag("1.0")).digest == image.digest)
        #expect(try remote(TransportOptions(tlsVerify: false)).resolve(.tag("1.0")).digest == image.digest)
    }
}
