// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import OCICrypto
import Sync
import Trust

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign images with a key, offline, in cosign's formats, where they are (layout or registry).",
        discussion: """
            Signs the manifest digest of IMAGE with the private key and stores the signature next to the image:
            legacy is cosign 2's form (a layer of the sha256-<hex>.sig manifest, simple-signing payload; what
            skopeo and containers/image verify), bundle is cosign 3's (a Sigstore bundle v0.3 referrer: DSSE over
            an in-toto statement); both (the default) writes the two. Only manifests are read, never a layer.
            Signing the same image again with the same key and identity adds no second legacy layer.

            The signature names the repository the image is published as: a registry's own repository, or
            --identity REPO (required for a layout). --recursive signs every manifest of an index too.
            The key's password comes from --password-stdin, COSIGN_PASSWORD, or a prompt on the terminal.

            Several images are signed in order with the key decrypted once, a line printed as each is done (with
            --output json, one array of every signature written). The first image that fails stops the command:
            one error line naming it, and the exit code of its failure; the images before it stay signed.

            Examples:
              ocitool sign --key cosign.key docker://registry.example:5000/team/app:1.0
              ocitool sign --key cosign.key --identity registry.example/team/app \\
                  ./images/app:1.0
              ocitool sign --key cosign.key docker://registry.example:5000/team/app:1.0 \\
                  docker://registry.example:5000/team/app:1.1
              COSIGN_PASSWORD="$PW" ocitool sign --key cosign.key --recursive \\
                  --format legacy --annotation build=42 docker://127.0.0.1:5000/app:1.0
            """.reflowed
    )

    @OptionGroup var signingKey: SigningKeyFlags

    @Argument(help: ArgumentHelp("The images: PATH[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].", valueName: "image"))
    var images: [String]

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

    func validate() throws {
        _ = try AnnotationPairs.parse(annotation)
        if images.isEmpty { throw ValidationError("give at least one image to sign") }
    }

    func run() throws {
        let batch = ImageBatch(images)
        let annotations = try AnnotationPairs.parse(annotation)
        let options = try registry.options()
        var signer: ImageSigner?
        var done: [SignedImage] = []
        do {
            for image in images {
                let target = try batch.target(image, for: "sign", identity: identity, registry: options)
                // The key is read once, after the first image is found (a wrong path costs no password).
                let current: ImageSigner
                if let signer { current = signer } else { current = ImageSigner(key: try signingKey.load()) }
                signer = current
                let signed = try batch.naming(image) {
                    try current.sign(
                        target.descriptor, in: target.repository, identity: target.identity, annotations: annotations,
                        format: format.format, recursive: recursive)
                }
                done += signed
                if output == .text { for image in signed { Console.write(Sign.line(image, identity: target.identity)) } }
            }
        } catch {
            if output == .json, !done.isEmpty { try Console.json(done) }
            throw error
        }
        if output == .json { return try Console.json(done) }
        if let signer { Console.write("key hint: \(signer.key.publicKey.hint)\n") }
    }

    /// `signed sha256:… as REPO: legacy sha256-….sig (…), bundle referrer …`.
    static func line(_ image: SignedImage, identity: String) -> String {
        var forms: [String] = []
        if let legacy = image.legacyManifest { forms.append("legacy \(CosignSignatureManifest.signatureTag(of: image.digest)) (\(legacy.short))") }
        if let bundle = image.bundleReferrer { forms.append("bundle referrer \(bundle.short)") }
        return "signed \(image.digest) as \(identity): \(forms.joined(separator: ", "))\n"
    }
}
