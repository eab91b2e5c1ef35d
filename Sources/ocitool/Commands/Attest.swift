// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync
import Trust

struct Attest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Attest images: sign a predicate (SBOM, provenance, VEX…) about each, offline.",
        discussion: """
            Wraps the predicate file in an in-toto Statement v1 whose subject is IMAGE's manifest digest (named
            by its repository), signs it in a DSSE envelope with the private key, and stores it as cosign does:
            legacy, a layer of the sha256-<hex>.att manifest (application/vnd.dsse.envelope.v1+json with a
            predicateType annotation); bundle, a Sigstore bundle v0.3 referrer; both by default.

            --type takes cosign's names (spdx, spdxjson, cyclonedx, slsaprovenance, slsaprovenance1, link,
            openvex, vuln, custom) or a predicate type URI. The predicate must be a JSON object, except for
            custom, whose text is wrapped as cosign wraps it.

            Several images are attested in order with the key decrypted once, a line printed as each is done
            (with --output json, one object for one image, an array for several). The first image that fails
            stops the command: one error line naming it, and the exit code of its failure.

            Examples:
              ocitool attest --key cosign.key --type spdx --predicate sbom.spdx.json \\
                  docker://registry.example:5000/team/app:1.0
              ocitool attest --key cosign.key --type https://example.com/test/v1 \\
                  --predicate result.json --identity registry.example/team/app \\
                  ./images/app:1.0 ./images/app:1.1
            """.reflowed
    )

    @OptionGroup var signingKey: SigningKeyFlags

    @Option(help: "The predicate file (JSON).")
    var predicate: String

    @Option(help: "The predicate type: spdx, cyclonedx, slsaprovenance, openvex, vuln, … or a URI.")
    var type: String = "custom"

    @Argument(help: ArgumentHelp("The images: PATH[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].", valueName: "image"))
    var images: [String]

    @Option(help: "Which forms to write: legacy, bundle or both.")
    var format: SignatureFormatArgument = .both

    @Option(help: "The repository the statement names (default for docker://: that repository).")
    var identity: String?

    @Option(name: .customLong("output"), help: "Output: text, or json for scripts.")
    var output: OutputOptions.Format = .text

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image to attest") }
    }

    func run() throws {
        let predicateType = try PredicateType.uri(for: type)
        guard let handle = FileHandle(forReadingAtPath: predicate) else {
            throw TrustError.invalidArgument("cannot read the predicate file \(predicate)")
        }
        let body = (try handle.read(upToCount: ImageAttester.maxPredicateSize + 1)) ?? Data()
        try? handle.close()
        let batch = ImageBatch(images)
        let options = try registry.options()
        var attester: ImageAttester?
        var done: [AttestedImage] = []
        do {
            for image in images {
                let target = try batch.target(image, for: "attest", identity: identity, registry: options)
                // The key is read once, after the first image is found (a wrong path costs no password).
                let current: ImageAttester
                if let attester { current = attester } else { current = ImageAttester(key: try signingKey.load()) }
                attester = current
                let attested = try batch.naming(image) {
                    try current.attest(
                        target.descriptor, in: target.repository, predicate: body, predicateType: predicateType,
                        identity: target.identity, format: format.format)
                }
                done.append(attested)
                if output == .text { Console.write(Attest.line(attested, predicateType: predicateType)) }
            }
        } catch {
            if output == .json, !done.isEmpty { try Console.json(done) }
            throw error
        }
        guard output == .json else { return }
        if batch.isBatch { try Console.json(done) } else if let attested = done.first { try Console.json(attested) }
    }

    /// `attested sha256:… (TYPE): legacy sha256-….att (…), bundle referrer …`.
    static func line(_ attested: AttestedImage, predicateType: String) -> String {
        var forms: [String] = []
        if let legacy = attested.legacyManifest { forms.append("legacy \(CosignSignatureManifest.attestationTag(of: attested.digest)) (\(legacy.short))") }
        if let bundle = attested.bundleReferrer { forms.append("bundle referrer \(bundle.short)") }
        return "attested \(attested.digest) (\(predicateType)): \(forms.joined(separator: ", "))\n"
    }
}

struct VerifyAttestation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-attestation",
        abstract: "Verify an image's attestations with public keys, offline, and print their predicates.",
        discussion: """
            Finds the attestations of IMAGE (cosign's sha256-<hex>.att manifest, Sigstore bundle referrers,
            cosign's experimental OCI 1.1 referrers) and checks each: the DSSE signature with one of the keys,
            the statement's subject against the image's manifest digest, the repository it names. Exit 0 when at
            least one attestation of --type verifies, 4 otherwise. --output-predicate prints only the verified
            predicates, one JSON document per line.

            Examples:
              ocitool verify-attestation --key cosign.pub --type spdx \\
                  docker://registry.example:5000/team/app:1.0
              ocitool verify-attestation --key cosign.pub --type slsaprovenance \\
                  --ignore-identity --output-predicate ./images/app:1.0 | jq .builder
            """.reflowed
    )

    @OptionGroup var keys: VerifyKeyFlags

    @Option(help: "The predicate type wanted: spdx, cyclonedx, slsaprovenance, openvex, vuln, … or a URI.")
    var type: String

    @Argument(help: "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    @Flag(help: "Print only the verified predicates (JSON, one per line).")
    var outputPredicate = false

    @OptionGroup var identity: IdentityFlags

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func run() throws {
        let predicateType = try PredicateType.uri(for: type)
        let reference = try ImageReference(parsing: image)
        let requirement = try identity.requirement(for: reference)
        let publicKeys = try keys.load()
        let (source, selector) = try ImageEndpoint.source(reference, registry: try registry.options())
        let descriptor = try source.resolve(selector)
        let report = try AttestationVerifier(keys: publicKeys).verify(
            descriptor, in: source, predicateType: predicateType, identity: requirement)
        if outputPredicate {
            for attestation in report.verified {
                Console.write(String(decoding: attestation.predicate ?? Data("{}".utf8), as: UTF8.self) + "\n")
            }
        } else if output.json {
            try Console.json(AttestationOutput(report))
        } else {
            Console.write("\(image)@\(report.image)\n")
            for candidate in report.candidates {
                let mark = candidate.verdict == .valid ? "ok  " : "FAIL"
                let place = candidate.manifest.short + (candidate.layer.map { " layer \($0)" } ?? "")
                let type = candidate.predicateType.map { " \($0)" } ?? ""
                Console.write("  \(mark) \(candidate.kind.rawValue) \(place)\(type): \(candidate.reason)\n")
            }
            if report.candidates.isEmpty { Console.write("  no attestations found\n") }
        }
        try report.requireVerified()
    }
}

/// The JSON of `verify-attestation --format json`: the report with each predicate as JSON, not base64.
struct AttestationOutput: Encodable {
    let report: AttestationReport

    init(_ report: AttestationReport) { self.report = report }

    struct Candidate: Encodable {
        let candidate: AttestationCandidate
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(candidate.kind, forKey: .kind)
            try container.encode(candidate.manifest, forKey: .manifest)
            try container.encodeIfPresent(candidate.layer, forKey: .layer)
            try container.encodeIfPresent(candidate.keyHint, forKey: .keyHint)
            try container.encodeIfPresent(candidate.predicateType, forKey: .predicateType)
            try container.encode(candidate.verdict, forKey: .verdict)
            try container.encode(candidate.reason, forKey: .reason)
            if let predicate = candidate.predicate, let value = try? JSONDecoder().decode(JSONValue.self, from: predicate) {
                try container.encode(value, forKey: .predicate)
            }
        }
        enum Keys: String, CodingKey { case kind, manifest, layer, keyHint, predicateType, verdict, reason, predicate }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.image, forKey: .image)
        try container.encodeIfPresent(report.predicateType, forKey: .predicateType)
        try container.encode(report.isVerified, forKey: .verified)
        try container.encode(report.candidates.map(Candidate.init), forKey: .candidates)
    }
    enum Keys: String, CodingKey { case image, predicateType, verified, candidates }
}

/// Any JSON value, decoded and encoded again (a predicate inside the report).
indirect enum JSONValue: Codable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
