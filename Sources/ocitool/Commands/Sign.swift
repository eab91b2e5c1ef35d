// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import OCICrypto
import Sync
import Trust

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign an image with a key, offline, in cosign's formats, where it is (layout or registry).",
        discussion: """
            Signs the manifest digest of IMAGE with the private key and stores the signature next to the image:
            legacy is cosign 2's form (a layer of the sha256-<hex>.sig manifest, simple-signing payload; what
            skopeo and containers/image verify), bundle is cosign 3's (a Sigstore bundle v0.3 referrer: DSSE over
            an in-toto statement); both (the default) writes the two. Only manifests are read, never a layer.
            Signing the same image again with the same key and identity adds no second legacy layer.

            The signature names the repository the image is published as: a registry's own repository, or
            --identity REPO (required for a layout). --recursive signs every manifest of an index too.
            The key's password comes from --password-stdin, COSIGN_PASSWORD, or a prompt on the terminal.

            Examples:
              ocitool sign --key cosign.key docker://registry.example:5000/team/app:1.0
              ocitool sign --key cosign.key --identity registry.example/team/app \\
                  ./images/app:1.0
              COSIGN_PASSWORD="$PW" ocitool sign --key cosign.key --recursive \\
                  --format legacy --annotation build=42 docker://127.0.0.1:5000/app:1.0
            """.reflowed
    )

    @OptionGroup var signingKey: SigningKeyFlags

    @Argument(help: "The image: PATH[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    @Option(help: "A claim key=value to sign along (repeatable).")
    var annotation: [String] = []

    @Option(help: "Which signature forms to write: legacy, bundle or both.")
    var format: SignatureFormatArgument = .both

    @Flag(help: "Sign every manifest an index lists too.")
    var recursive = false

    @Option(help: "The repository the signature names (default for docker://: that repository).")
    var identity: String?

    @Option(name: .customLong("output"), help: "Output: text, or json for scripts.")
    var output: OutputOptions.Format = .text

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    func validate() throws { _ = try AnnotationPairs.parse(annotation) }

    func run() throws {
        let reference = try ImageReference(parsing: image)
        let signedIdentity = try IdentityFlags.signingIdentity(identity, for: reference)
        let (repository, selector) = try ImageEndpoint.repository(reference, for: "sign", registry: try registry.options())
        let descriptor = try repository.resolve(selector)
        let key = try signingKey.load()
        let signed = try ImageSigner(key: key).sign(
            descriptor, in: repository, identity: signedIdentity, annotations: try AnnotationPairs.parse(annotation),
            format: format.format, recursive: recursive)
        if output == .json { return try Console.json(signed) }
        for image in signed {
            var forms: [String] = []
            if let legacy = image.legacyManifest { forms.append("legacy \(CosignSignatureManifest.signatureTag(of: image.digest)) (\(legacy.short))") }
            if let bundle = image.bundleReferrer { forms.append("bundle referrer \(bundle.short)") }
            Console.write("signed \(image.digest) as \(signedIdentity): \(forms.joined(separator: ", "))\n")
        }
        Console.write("key hint: \(key.publicKey.hint)\n")
    }
}
