// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import Serve
import Sync
import Testing

import CurlTransport
@testable import ocitool

/// The CLI's mapping of library errors to a hint and a documented exit code (0 ok, 1 failure, 2 usage,
/// 3 not found, 4 verification failed); the libraries carry neither.
@Suite struct ErrorReportTests {
    /// A missing layout whose path reads like a registry reference is pointed at docker://; a path is not.
    @Test func aPathThatReadsLikeARegistryGetsTheDockerHint() {
        #expect(ErrorReport(LayoutError.notALayout("127.0.0.1:5000/team/app")).hint == "for a registry, write docker://127.0.0.1:5000/team/app")
        #expect(ErrorReport(LayoutError.notALayout("registry.example.com/app")).hint == "for a registry, write docker://registry.example.com/app")
        #expect(ErrorReport(LayoutError.notALayout("docker:/host/app")).hint == "for a registry, write docker://host/app")
        for path in ["/srv/images/app", "./images/app", "images/app", "app"] {
            #expect(ErrorReport(LayoutError.notALayout(path)).hint == "create one with 'ocitool init PATH', or check the path")
        }
    }

    static let digest = Digest.sha256(of: Data("x".utf8))

    static let layoutExitCodes: [(LayoutError, Int32)] = [
        (.invalidDigest("x"), 2), (.invalidReference("x", reason: "y"), 2), (.invalidArgument("x"), 2),
        (.notALayout("/nonexistent"), 3), (.layoutMissing("/nonexistent"), 3), (.blobNotFound(digest), 3),
        (.manifestNotFound("v1"), 3), (.io("open", path: "/x", errno: ENOENT), 3), (.io("write", path: "/x", errno: ENOSPC), 1),
        (.digestMismatch(expected: digest, actual: digest), 4), (.sizeMismatch(digest, expected: 1, actual: 2), 4),
        (.verificationFailed("x"), 4), (.archiveMismatch("x"), 4), (.archive("x"), 1), (.manifestInvalid("x"), 1),
    ]

    @Test(arguments: layoutExitCodes)
    func layoutErrorsExitWithTheirDocumentedCode(error: LayoutError, code: Int32) {
        let report = ErrorReport(error)
        #expect(report.exitCode == code, "\(error)")
        #expect(report.message == error.description)
    }

    @Test func syncErrorsGetTheirHintsAndCodes() {
        let authentication = ErrorReport(SyncError.authenticationFailed(host: "h.example:5000", reason: "rejected"))
        #expect(authentication.hint?.contains("ocitool login h.example:5000") == true)
        let helper = ErrorReport(SyncError.credentialHelper("docker-credential-broken", reason: "boom"))
        #expect(helper.hint?.contains("docker-credential-broken") == true && helper.exitCode == 1)
        let certificate = ErrorReport(SyncError.transfer(host: "h", CurlError(code: 60, message: "SSL certificate problem")))
        #expect(certificate.hint?.contains("--cert-dir") == true)
        #expect(ErrorReport(SyncError.notFound("manifest nope not found in h/team/app")).exitCode == 3)
        #expect(ErrorReport(SyncError.registry(host: "h", status: 404, codes: [], message: "", context: "x")).exitCode == 3)
        #expect(ErrorReport(SyncError.invalidArgument("x")).exitCode == 2)
        // A Layout error inside keeps its code and hint; a mismatch from a registry says who altered it.
        #expect(ErrorReport(SyncError.layout(.manifestNotFound("v1"))) == ErrorReport(LayoutError.manifestNotFound("v1")))
        let mismatch = ErrorReport(SyncError.layout(.digestMismatch(expected: ErrorReportTests.digest, actual: ErrorReportTests.digest)))
        #expect(mismatch.exitCode == 4 && mismatch.hint?.contains("a registry (or a proxy) altered it") == true)
    }
}
