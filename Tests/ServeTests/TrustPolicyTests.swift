// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Layout
import OCICrypto
import Testing
import Trust

@testable import Serve

/// `trust:` in serve.yaml: a gated repository serves a manifest only when signed by one of its keys (403
/// DENIED in the OCI envelope, naming the policy, otherwise); pushes are accepted; signatures and other
/// referrers stay readable; an index is judged by its own signature and serves its children; a verdict changes
/// as soon as a signature arrives (pushed after the image, or written into the store by the CLI).
@Suite struct TrustPolicyTests {
    let fixture = ServeFixture()
    let key: PrivateKey
    let keyFile: String

    init() throws {
        key = try PrivateKey.generate(.ecdsaP256)
        keyFile = fixture.root + "-cosign.pub"
        try Data(key.publicKey.pem.utf8).write(to: URL(fileURLWithPath: keyFile))
    }

    func gated(_ configuration: inout ServeConfiguration) {
        configuration.trust = [TrustRule(repositories: ["prod/**"], keys: [keyFile])]
    }

    func layout(_ name: String) throws -> OCILayout { try fixture.store.layout(for: name) }

    /// Signs `descriptor` in a scratch copy of the repository and pushes the `.sig` manifest (with its blobs)
    /// through the API, as cosign does after the image.
    func pushSignature(
        of descriptor: Descriptor, in name: String, identity: String, client: any TestClientProtocol
    ) async throws {
        let scratch = try OCILayout.create(at: fixture.root + "-scratch-\(UUID())")
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        try ImageCopy(from: LayoutEndpoint(try layout(name)), to: LayoutEndpoint(scratch)).copy(descriptor, tag: nil)
        let signed = try ImageSigner(key: key).sign(descriptor, in: LayoutEndpoint(scratch), identity: identity, format: .legacy)
        let signature = try #require(signed.first?.legacyManifest)
        let manifest = try scratch.manifest(try scratch.resolve(.digest(signature)))
        for blob in manifest.references {
            try await client.pushBlob(try scratch.readBlob(blob.digest), to: name)
        }
        let tag = CosignSignatureManifest.signatureTag(of: descriptor.digest)
        let response = try await client.execute(
            uri: "/v2/\(name)/manifests/\(tag)", method: .put,
            headers: [.contentType: manifest.mediaType.rawValue], body: manifest.bytes.buffer)
        #expect(response.status == .created)
    }

    @Test func anUnsignedImageIsDeniedUntilItsSignatureIsPushed() async throws {
        defer { fixture.remove() }
        try await fixture.run(configure: gated) { client in
            let image = try await client.pushImage(to: "prod/app", tag: "1.0")
            for method in [HTTPRequest.Method.get, .head] {
                for reference in ["1.0", image.digest.description] {
                    let denied = try await client.execute(uri: "/v2/prod/app/manifests/\(reference)", method: method)
                    #expect(denied.status == .forbidden)
                    if method == .get {
                        #expect(denied.headers[.contentType] == "application/json")
                        #expect(denied.errorCode == .denied)
                        let message = try #require(denied.errors.first?.message)
                        #expect(message.contains("trust[0] (prod/**)") && message.contains(image.digest.description))
                        #expect(message.contains("no signature found"))
                    }
                }
            }
            // Not gated: served.
            let free = try await client.pushImage(to: "dev/app", tag: "1.0")
            #expect(try await client.execute(uri: "/v2/dev/app/manifests/1.0", method: .get).status == .ok)
            _ = free

            // Signed with another name: still refused, saying why.
            try await pushSignature(of: image.descriptor, in: "prod/app", identity: "registry.example/prod/other", client: client)
            let misnamed = try await client.execute(uri: "/v2/prod/app/manifests/1.0", method: .get)
            #expect(misnamed.status == .forbidden)
            #expect(misnamed.errors.first?.message.contains("names registry.example/prod/other") == true)
        }
    }

    @Test func aSignaturePushedAfterTheImageOpensItAndSignaturesStayReadable() async throws {
        defer { fixture.remove() }
        try await fixture.run(configure: gated) { client in
            let image = try await client.pushImage(to: "prod/app", tag: "1.0")
            #expect(try await client.execute(uri: "/v2/prod/app/manifests/1.0", method: .get).status == .forbidden)
            // The refusal was remembered; the signature's arrival drops it (any host may be named).
            try await pushSignature(of: image.descriptor, in: "prod/app", identity: "mirror.example:5000/prod/app", client: client)
            let served = try await client.execute(uri: "/v2/prod/app/manifests/1.0", method: .get)
            #expect(served.status == .ok)
            #expect(served.body.data == image.manifest)
            #expect(try await client.execute(uri: "/v2/prod/app/manifests/\(image.digest)", method: .head).status == .ok)
            // What a client fetches to verify: the .sig tag, and a referrer (an SBOM, unsigned itself).
            let tag = CosignSignatureManifest.signatureTag(of: image.digest)
            #expect(try await client.execute(uri: "/v2/prod/app/manifests/\(tag)", method: .get).status == .ok)
            let sbom = try await client.pushImage(
                to: "prod/app", tag: nil, layers: 1, subject: image.descriptor, artifactType: "application/spdx+json")
            #expect(try await client.execute(uri: "/v2/prod/app/manifests/\(sbom.digest)", method: .get).status == .ok)
        }
    }

    @Test func aSignatureWrittenIntoTheStoreByTheCLIOpensTheImage() async throws {
        defer { fixture.remove() }
        try await fixture.run(configure: gated) { client in
            let image = try await client.pushImage(to: "prod/cli", tag: "1.0")
            #expect(try await client.execute(uri: "/v2/prod/cli/manifests/1.0", method: .get).status == .forbidden)
            try ImageSigner(key: key).sign(
                image.descriptor, in: LayoutEndpoint(try layout("prod/cli")), identity: "localhost/prod/cli", format: .bundle)
            #expect(try await client.execute(uri: "/v2/prod/cli/manifests/1.0", method: .get).status == .ok)
        }
    }

    @Test func anIndexIsJudgedByItsOwnSignatureAndServesItsChildren() async throws {
        defer { fixture.remove() }
        try await fixture.run(configure: gated) { client in
            let amd = try await client.pushImage(to: "prod/multi", tag: nil)
            let arm = try await client.pushImage(to: "prod/multi", tag: nil)
            let stray = try await client.pushImage(to: "prod/multi", tag: nil)
            let index = ImageIndex(manifests: [amd.descriptor, arm.descriptor])
            let bytes = try JSONEncoder.ocitool.encode(index)
            let put = try await client.execute(
                uri: "/v2/prod/multi/manifests/all", method: .put,
                headers: [.contentType: Layout.MediaType.ociIndex.rawValue], body: bytes.buffer)
            #expect(put.status == .created)
            let indexDescriptor = Descriptor(mediaType: .ociIndex, digest: Digest.sha256(of: bytes), size: Int64(bytes.count))
            #expect(try await client.execute(uri: "/v2/prod/multi/manifests/all", method: .get).status == .forbidden)
            #expect(try await client.execute(uri: "/v2/prod/multi/manifests/\(amd.digest)", method: .get).status == .forbidden)

            try ImageSigner(key: key).sign(
                indexDescriptor, in: LayoutEndpoint(try layout("prod/multi")), identity: "localhost/prod/multi", format: .legacy)
            #expect(try await client.execute(uri: "/v2/prod/multi/manifests/all", method: .get).status == .ok)
            for child in [amd, arm] {
                let response = try await client.execute(uri: "/v2/prod/multi/manifests/\(child.digest)", method: .get)
                #expect(response.status == .ok)
                #expect(response.body.data == child.manifest)
            }
            // An image the signed index does not list gains nothing from it.
            #expect(try await client.execute(uri: "/v2/prod/multi/manifests/\(stray.digest)", method: .get).status == .forbidden)
        }
    }

    @Test func theTrustSectionIsReadAndCheckedWhereItStands() throws {
        defer { fixture.remove() }
        let yaml = """
            root: \(fixture.root)
            trust:
              - repositories: ["prod/**", release]
                keys: [\(keyFile)]
              - repositories: "*"
                keys: \(keyFile)
                identity: any
            """
        let configuration = try ServeConfiguration.parse(yaml: yaml, file: "/etc/serve.yaml")
        #expect(configuration.trust == [
            TrustRule(repositories: ["prod/**", "release"], keys: [keyFile]),
            TrustRule(repositories: ["*"], keys: [keyFile], identity: .any),
        ])
        try configuration.validate()
        #expect(configuration.effectiveYAML.contains("trust:"))
        #expect(try ServeConfiguration.parse(yaml: configuration.effectiveYAML, file: "/etc/again.yaml").trust == configuration.trust)

        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.parse(yaml: "trust:\n  - repositories: [a]\n    keys: [k]\n    identity: some\n", file: "/etc/s.yaml")
        }
        let missing = try ServeConfiguration.parse(
            yaml: "root: \(fixture.root)\ntrust:\n  - repositories: [a]\n    keys: [missing.pub]\n", file: "/etc/s.yaml")
        #expect {
            try missing.validate()
        } throws: { error in
            "\(error)".contains("/etc/s.yaml:4:") && "\(error)".contains("/etc/missing.pub")
        }
    }
}
