// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto
import Testing
@testable import Trust

/// Keys from cosign's own repository test data (sigstore/cosign `pkg/cosign/keys_test.go`,
/// `TestReadingPrivatePemTypes`, password "hello") load, and sign images that verify with their public half.
@Suite("Trust: cosign's test keys")
struct CosignTestDataKeyTests {
    /// `pemcosignkey`: an RSA key under the older `ENCRYPTED COSIGN PRIVATE KEY` label, scrypt N=32768.
    static let cosignLabeledRSA = """
        -----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----
        eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
        OCwicCI6MX0sInNhbHQiOiJ4WWdoc09JTUxUWGNOT0RsclNIOUNKc1FlOVFnZmN1
        cmUrMXlLdHh1TlkwPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
        Iiwibm9uY2UiOiI0cS9PSlVmaXJkSUkrUjZ0ajZBMmcyQ0JqL25xdFNicCJ9LCJj
        aXBoZXJ0ZXh0IjoiKzB4Q3NzcFN0WStBczdKanJpOWtsbHBWd2JhcUI4ZWJNdWto
        eS9aVE1MSXRsL3B1YS9jWVJvbytLRGxMWWdmOW1kSjk4K1FnQW9oTktoYnJPMTcw
        MHdBY1JTMjFDOE4zQUNJRUVZaWpOMllBNnMraGJSbkhjUnd4eGhDMDFtb2FvL0dO
        Y1pmbEJheXZMV3pXblo4d2NDZ2ZpT1o1VXlRTEFJMHh0dnR6dEh3cTdDV1Vhd3V4
        RlhlNDZzck9TUE9SNHN6bytabWErUGovSFE9PSJ9
        -----END ENCRYPTED COSIGN PRIVATE KEY-----
        """
    /// `pemsigstorekey`: under the `ENCRYPTED SIGSTORE PRIVATE KEY` label cosign writes today.
    static let sigstoreLabeled = """
        -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
        eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
        OCwicCI6MX0sInNhbHQiOiI3T3VGd2VsbWZZNXVId2NoaURSc210anNwZ2ZlZjFG
        Mk5lOGFDTjVLYVpZPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
        Iiwibm9uY2UiOiJQNHk4OGhCb3ZTa09MbXN0bFVBaGJwdDJ0K2xTNUxQSCJ9LCJj
        aXBoZXJ0ZXh0IjoiMnB1QzdyZldJOWh3bnJlQ2s4aUZDRlVwQlRrSzRJNlIvbFBF
        cnBDekpXUGpJWXl4eGVIL1A2VW52cFJHdVhla1NNb3JMdGhLamdoQ1JlNy82NDVH
        QWtoVm1LRC92eEF0S2EvbE1abENSQ3FlekJGUFd1dzNpeFRtZ2xhb2J1ZFVSbUVs
        bmNGOGlZbzBTMVl6Y1ZOMVFwY2J2c0dNcUlYRzVlbmdteGp5dCtBcXlyZTF0Q0Y0
        V01tU1BlaEljNlBqd2h1Q2xHaVpJUWRvTGc9PSJ9
        -----END ENCRYPTED SIGSTORE PRIVATE KEY-----
        """

    @Test(arguments: [cosignLabeledRSA, sigstoreLabeled])
    func loadsAndSigns(pem: String) throws {
        let key = try PrivateKey(pem: pem, password: Array("hello".utf8))
        #expect(throws: OCICryptoError.wrongPassword) { try PrivateKey(pem: pem, password: Array("wrong".utf8)) }
        let layout = try TrustFixtures.layout()
        let image = try TrustFixtures.image(in: layout, tag: "1.0")
        try ImageSigner(key: key).sign(image, in: LayoutEndpoint(layout), identity: TrustFixtures.identity)
        let report = try SignatureVerifier(keys: [key.publicKey]).verify(
            image, in: LayoutEndpoint(layout), identity: .matchRepository(TrustFixtures.identity))
        #expect(report.candidates.count == 2)
        #expect(report.valid.count == 2)
    }
}
