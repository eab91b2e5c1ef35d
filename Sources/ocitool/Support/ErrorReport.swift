// SPDX-License-Identifier: Apache-2.0
import CurlTransport
import Foundation
import Layout
import OCICrypto
import Scan
import Serve
import Sync
import Trust

/// What the CLI says about a library error and how it exits: the library's message, a hint when there is
/// something useful to say, and the documented exit code (1 failure, 2 usage, 3 not found, 4 verification
/// failed). The libraries carry neither hints nor exit codes: those are the CLI's.
struct ErrorReport: Equatable {
    /// The `error:` line.
    let message: String
    /// The `hint:` line, if any.
    let hint: String?
    /// The process's exit status.
    let exitCode: Int32

    init(_ error: LayoutError) {
        message = error.description
        hint = ErrorReport.hint(error)
        exitCode = ErrorReport.exitCode(error)
    }

    init(_ error: SyncError) {
        message = error.description
        hint = ErrorReport.hint(error)
        exitCode = ErrorReport.exitCode(error)
    }

    /// A key that could not be read or decrypted, or a signature that did not verify (4; the rest 1).
    init(_ error: OCICryptoError) {
        message = error.description
        hint =
            switch error {
            case .wrongPassword: "check the password (COSIGN_PASSWORD, --password-stdin or the one typed)"
            case .passwordRequired: "give the password in COSIGN_PASSWORD or with --password-stdin"
            case .unsupportedKDF:
                "only cosign's scrypt parameters are read (N 32768, 65536 or 131072; r=8; p=1): re-encrypt the key "
                    + "with 'cosign import-key-pair' or generate one with 'ocitool key generate'"
            case .invalidPEM: "check that the file is complete and is a PEM key file"
            default: nil
            }
        exitCode = error == .badSignature ? 4 : 1
    }

    /// A scan input that cannot be used: no image for the platform (3), no vulnerability database at the path
    /// (3); a layer that is not a tar archive, a database that is not one or is from an older or a newer
    /// ocitool (1).
    init(_ error: ScanError) {
        message = error.description
        hint =
            switch error {
            case .noMatchingPlatform: "pick one of the listed platforms with --platform os/arch"
            case .invalidLayer: "the image's layer blob is damaged or not a layer; check it with 'ocitool fsck' (layouts)"
            case .databaseMissing:
                "build one with 'ocitool db import FILE|DIR...' (OSV records or all.zip), or name one with --db"
            case .notADatabase: "--db names a file made by 'ocitool db import', or an artifact made by 'ocitool db push'"
            case .databaseSchemaTooNew: "use the ocitool that built it (or a newer one), or rebuild it with 'ocitool db import'"
            case .databaseSchemaTooOld(let path, _, _):
                "upgrade it in place with 'ocitool db import --db \(path) FILE|DIR...' (any OSV records, such as the "
                    + "all.zip files it was built from: unchanged ones are kept); a database pulled with --db REF needs "
                    + "the same done where it was built, then 'ocitool db push' again"
            case .notADatabaseArtifact: "--db REF names an artifact made by 'ocitool db push'"
            case .database: "check the file's permissions and the free disk space"
            default: nil
            }
        exitCode =
            switch error {
            case .noMatchingPlatform, .databaseMissing: 3
            default: 1
            }
    }

    /// A signature that did not verify (4), a wrong argument (2), a key or signature that cannot be used (1).
    init(_ error: TrustError) {
        message = error.description
        switch error {
        case .verificationFailed(_, let reasons) where reasons.isEmpty:
            hint = "sign it with 'ocitool sign', or copy it with its signatures (a docker archive holds none)"
            exitCode = 4
        case .verificationFailed, .tooManyCandidates:
            hint = nil
            exitCode = 4
        case .invalidArgument:
            hint = nil
            exitCode = 2
        case .noKeys:
            hint = "verification takes public keys (cosign.pub): PEM files, or a directory of *.pub files"
            exitCode = 1
        case .keyFile:
            hint = nil
            exitCode = 1
        case .malformed:
            hint = nil
            exitCode = 1
        }
    }

    /// A socket serve could not listen on: always a failure (1), with what to change.
    init(_ error: ListenError) {
        message = error.description
        hint =
            switch error.errno {
            case EADDRINUSE: "stop the program listening there, or pick another port with --port"
            case EACCES: "ports below 1024 need root or CAP_NET_BIND_SERVICE; pick another port with --port"
            case EADDRNOTAVAIL: "pick one of its addresses with --host (0.0.0.0 for all)"
            default: nil
            }
        exitCode = 1
    }

    /// Prints the `error:` line and the hint on stderr.
    func print() { Console.error(message, hint: hint) }

    private static func hint(_ error: LayoutError) -> String? {
        switch error {
        case .notALayout(let path) where looksLikeRegistry(path), .layoutMissing(let path) where looksLikeRegistry(path):
            "for a registry, write docker://\(path.hasPrefix("docker:") ? path.dropFirst(7).drop { $0 == "/" } : path[...])"
        case .notALayout, .layoutMissing: "create one with 'ocitool init PATH', or check the path"
        case .blobNotFound, .manifestBlobUnknown: "run 'ocitool fsck LAYOUT' to check the layout"
        case .digestMismatch, .sizeMismatch:
            "the source's content does not match its digest, so nothing was tagged at the destination; "
                + "a registry (or a proxy) altered it, or, for a layout source, check it with 'ocitool fsck LAYOUT'"
        case .tooManyReferrers: "copy without referrers (--no-referrers), and check the source: no image carries so many"
        case .manifestNotFound: "list what the layout holds with 'ocitool ls LAYOUT'"
        case .io(_, _, let errno) where errno == ENOSPC: "free disk space and retry; nothing was committed"
        case .archive, .unsafeArchiveEntry, .archiveMismatch: "the archive was rejected whole; nothing from it was added"
        case .invalidReference:
            "references look like PATH[:TAG|@DIGEST], oci-archive:FILE[:TAG], docker-archive:FILE, "
                + "docker://HOST/REPO[:TAG]"
        default: nil
        }
    }

    private static func exitCode(_ error: LayoutError) -> Int32 {
        switch error {
        case .invalidDigest, .invalidName, .invalidTag, .invalidReference, .invalidArgument: 2
        case .notALayout, .layoutMissing, .blobNotFound, .manifestNotFound: 3
        case .io(_, _, let errno) where errno == ENOENT: 3
        case .digestMismatch, .sizeMismatch, .verificationFailed, .archiveMismatch, .contentRefused: 4
        default: 1
        }
    }

    private static func hint(_ error: SyncError) -> String? {
        switch error {
        case .unreachable: "check the host and port, and that the registry is running"
        case .transfer(_, let error) where [35, 51, 53, 58, 60, 77, 83, 90, 91].contains(error.code):
            "for a self-signed certificate pass --cert-dir DIR (its *.crt files), or --tls-verify=false; for HTTP --plain-http"
        case .authenticationFailed(let host, _): "log in with 'ocitool login \(host)' or pass --creds USER:PASSWORD"
        case .accessDenied: "the credentials are valid but lack this permission: ask the registry's administrator"
        case .registry(_, 429, _, _, _): "the registry is rate limiting; retry later or lower --jobs"
        case .credentialHelper(let program, _):
            "check that \(program) is installed and works, or remove it from credHelpers/credsStore in the auth file"
        case .unsupported(_, let reason) where reason.contains("deleting tags"):
            "'ocitool rm' deletes the image with every tag on it, where the registry allows deletes"
        case .unsupported: "deletes are the registry's choice (distribution: storage.delete.enabled; ocitool serve --delete)"
        case .layout(let error): hint(error)
        default: nil
        }
    }

    private static func exitCode(_ error: SyncError) -> Int32 {
        switch error {
        case .notFound: 3
        case .registry(_, 404, _, _, _): 3
        case .invalidArgument: 2
        case .layout(let error): exitCode(error)
        default: 1
        }
    }

    /// Whether a path that is not a layout reads like a registry reference without its `docker://`
    /// (`127.0.0.1:5000/team/app`, `registry.example.com/app`, `docker:/host/app`): no such directory, and a
    /// first component with a port or a dot that is no directory either.
    static func looksLikeRegistry(_ path: String) -> Bool {
        guard !FileSystem.isDirectory(path), let slash = path.firstIndex(of: "/") else { return false }
        let host = path[..<slash]
        guard !host.isEmpty, !host.hasPrefix("."), !FileSystem.isDirectory(String(host)) else { return false }
        return host.contains(":") || host.contains(".") || host == "localhost"
    }
}
