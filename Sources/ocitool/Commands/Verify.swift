// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync
import Trust

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify an image's signatures with public keys, offline.",
        discussion: """
            Finds the signatures of IMAGE in every form (cosign's legacy sha256-<hex>.sig tag, Sigstore bundle
            referrers, cosign's experimental OCI 1.1 referrers; notation signatures are listed as found but not
            verifiable with a key) and checks each: the signature with one of the keys, the signed digest against
            the image's manifest digest, and the repository it names (skopeo's matchRepository: the registry's
            own repository, --identity REPO, or any with --ignore-identity). Nothing but the image's source and
            the key files is read: no transparency log, no network beyond a docker:// registry.

            Exit 0 when at least one signature is valid, 4 when none is (each candidate's reason is printed).

            Examples:
              ocitool verify --key cosign.pub docker://registry.example:5000/team/app:1.0
              ocitool verify --key keys/ --identity registry.example/team/app \\
                  oci-archive:bundle.tar:1.0
              ocitool verify --key a.pub,b.pub --ignore-identity --format json \\
                  ./images/app:1.0
            """.reflowed
    )

    @OptionGroup var keys: VerifyKeyFlags

    @Argument(help: "The image: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].")
    var image: String

    @OptionGroup var identity: IdentityFlags

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func run() throws {
        let reference = try ImageReference(parsing: image)
        let requirement = try identity.requirement(for: reference)
        let publicKeys = try keys.load()
        let (source, selector) = try ImageEndpoint.source(reference, registry: try registry.options())
        let descriptor = try source.resolve(selector)
        let report = try SignatureVerifier(keys: publicKeys).verify(descriptor, in: source, identity: requirement)
        if output.json {
            try Console.json(report)
        } else {
            Console.write("\(image)@\(report.image)\n")
            for candidate in report.candidates { Console.write(Verify.line(candidate)) }
            if report.candidates.isEmpty { Console.write("  no signatures found\n") }
        }
        try report.requireVerified()
        if !output.json {
            Console.write("verified: \(report.valid.count) valid signature\(report.valid.count == 1 ? "" : "s") of \(report.candidates.count)\n")
        }
    }

    /// One candidate: its verdict, form, where it is, and why.
    static func line(_ candidate: SignatureCandidate) -> String {
        let mark = candidate.verdict == .valid ? "ok  " : "FAIL"
        let place = candidate.manifest.short + (candidate.layer.map { " layer \($0)" } ?? "")
        return "  \(mark) \(candidate.kind.rawValue) \(place): \(candidate.verdict == .valid ? "" : "\(candidate.verdict.rawValue): ")\(candidate.reason)\n"
    }
}
