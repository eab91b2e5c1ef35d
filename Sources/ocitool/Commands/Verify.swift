// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync
import Trust

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify images' signatures with public keys, offline.",
        discussion: """
            Finds the signatures of IMAGE in every form (cosign's legacy sha256-<hex>.sig tag, Sigstore bundle
            referrers, cosign's experimental OCI 1.1 referrers; notation signatures are listed as found but not
            verifiable with a key) and checks each: the signature with one of the keys, the signed digest against
            the image's manifest digest, and the repository it names (skopeo's matchRepository: the registry's
            own repository, --identity REPO, or any with --ignore-identity). Nothing but the image's source and
            the key files is read: no transparency log, no network beyond a docker:// registry.

            Exit 0 when at least one signature is valid, 4 when none is (each candidate's reason is printed).
            Several images are verified in order with the keys read once, each image's result printed as it is
            known (with --format json, an array of reports); an image that fails gets an error line naming it
            and the others are still verified. Exit 0 only when every image verifies, else the exit code of the
            first failure.

            Examples:
              ocitool verify --key cosign.pub docker://registry.example:5000/team/app:1.0
              ocitool verify --key keys/ --identity registry.example/team/app \\
                  oci-archive:bundle.tar:1.0
              ocitool verify --key a.pub,b.pub --ignore-identity --format json \\
                  ./images/app:1.0
              ocitool verify --key cosign.pub docker://registry.example:5000/team/app:1.0 \\
                  docker://registry.example:5000/team/app:1.1
            """.reflowed
    )

    @OptionGroup var keys: VerifyKeyFlags

    @Argument(
        help: ArgumentHelp(
            "The images: PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG|@DIGEST].",
            valueName: "image"))
    var images: [String]

    @OptionGroup var identity: IdentityFlags

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image to verify") }
    }

    func run() throws {
        let batch = ImageBatch(images)
        let options = try registry.options()
        var verifier: SignatureVerifier?
        var reports: [VerificationReport] = []
        var failure: ExitCode?
        for image in images {
            do {
                let requirement = try batch.naming(image) { try identity.requirement(for: ImageReference(parsing: image)) }
                let current: SignatureVerifier
                if let verifier { current = verifier } else { current = SignatureVerifier(keys: try keys.load()) }
                verifier = current
                try batch.naming(image) {
                    let (source, selector) = try ImageEndpoint.source(ImageReference(parsing: image), registry: options)
                    let report = try current.verify(try source.resolve(selector), in: source, identity: requirement)
                    reports.append(report)
                    if !output.json { Verify.write(report, of: image) }
                    try report.requireVerified()
                    if !output.json {
                        Console.write("verified: \(report.valid.count) valid signature\(report.valid.count == 1 ? "" : "s") of \(report.candidates.count)\n")
                    }
                }
            } catch let exit as ExitCode where batch.isBatch {
                failure = failure ?? exit
            } catch {
                try writeJSON(reports, batch: batch)
                throw error
            }
        }
        try writeJSON(reports, batch: batch)
        if let failure { throw failure }
    }

    /// With --format json: the report of one image, or the array of several.
    private func writeJSON(_ reports: [VerificationReport], batch: ImageBatch) throws {
        guard output.json else { return }
        if batch.isBatch { try Console.json(reports) } else if let report = reports.first { try Console.json(report) }
    }

    /// An image's report in text: the image and its digest, then each candidate.
    static func write(_ report: VerificationReport, of image: String) {
        Console.write("\(image)@\(report.image)\n")
        for candidate in report.candidates { Console.write(Verify.line(candidate)) }
        if report.candidates.isEmpty { Console.write("  no signatures found\n") }
    }

    /// One candidate: its verdict, form, where it is, and why.
    static func line(_ candidate: SignatureCandidate) -> String {
        let mark = candidate.verdict == .valid ? "ok  " : "FAIL"
        let place = candidate.manifest.short + (candidate.layer.map { " layer \($0)" } ?? "")
        return "  \(mark) \(candidate.kind.rawValue) \(place): \(candidate.verdict == .valid ? "" : "\(candidate.verdict.rawValue): ")\(candidate.reason)\n"
    }
}
