// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Testing

@testable import Serve

/// HTTPS with a certificate made by the test (openssl), checked by curl against the CA; mutual TLS.
@Suite("Serve: TLS")
struct TLSTests {
    @Test func tlsServingWithACertificateCurlVerifies() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let certificates = try await TestCertificates.make(in: fixture.root + "-etc")
        let tls = ServeConfiguration.TLS(certificate: certificates.serverCertificate, key: certificates.serverKey)
        try await fixture.serve(configure: { $0.tls = tls }) { port, _ in
            let url = "https://localhost:\(port)/v2/"
            let verified = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certificates.ca, url,
            ])
            #expect(verified.status == 0)
            #expect(verified.output == "200")
            // Without the CA the certificate is not trusted.
            let untrusted = try await runTool(["curl", "-s", "-o", "/dev/null", url])
            #expect(untrusted.status == 60)
            // Plain HTTP to the TLS port gets no registry answer.
            let plain = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/v2/",
            ])
            #expect(plain.output != "200")
        }
    }

    @Test func mtlsRejectsClientsWithoutACertificate() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let certificates = try await TestCertificates.make(in: fixture.root + "-etc")
        let tls = ServeConfiguration.TLS(
            certificate: certificates.serverCertificate, key: certificates.serverKey, clientCA: certificates.ca)
        try await fixture.serve(configure: { $0.tls = tls }) { port, _ in
            let url = "https://localhost:\(port)/v2/"
            let without = try await runTool(["curl", "-s", "-o", "/dev/null", "--cacert", certificates.ca, url])
            #expect(without.status != 0, "a client without a certificate must be refused in the handshake")
            let with = try await runTool([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certificates.ca, "--cert",
                certificates.clientCertificate, "--key", certificates.clientKey, url,
            ])
            #expect(with.status == 0)
            #expect(with.output == "200")
        }
    }

    @Test func aKeyThatDoesNotFitTheCertificateIsAConfigurationError() async throws {
        let fixture = ServeFixture()
        defer { fixture.removeAll() }
        let certificates = try await TestCertificates.make(in: fixture.root + "-etc")
        var configuration = ServeConfiguration(root: fixture.root)
        configuration.tls = ServeConfiguration.TLS(
            certificate: certificates.serverCertificate, key: certificates.clientKey)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.tls = ServeConfiguration.TLS(
            certificate: certificates.serverCertificate, key: certificates.serverKey)
        try configuration.validate()
        // With a certificate, any address may be served.
        configuration.host = "0.0.0.0"
        try configuration.validate()
    }
}
