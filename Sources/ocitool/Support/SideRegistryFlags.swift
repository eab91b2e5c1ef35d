// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Sync

/// skopeo's per-side registry flags for the commands with a source and a destination (copy, sync): each
/// overrides, for its side only, what `RegistryFlags` sets for both.
struct SideRegistryFlags: ParsableArguments {
    @Option(help: "Credentials USER:PASSWORD for the source registry (instead of --creds).")
    var srcCreds: String?

    @Option(help: "Credentials USER:PASSWORD for the destination registry (instead of --creds).")
    var destCreds: String?

    @Option(help: "An auth file for the source registry (instead of --authfile and --creds).")
    var srcAuthfile: String?

    @Option(help: "An auth file for the destination registry (instead of --authfile and --creds).")
    var destAuthfile: String?

    @Flag(help: "Access the source registry anonymously (no credentials of any kind for it).")
    var srcNoCreds = false

    @Flag(help: "Access the destination registry anonymously (no credentials of any kind for it).")
    var destNoCreds = false

    @Option(help: "Verify the source registry's TLS certificate (instead of --tls-verify).")
    var srcTlsVerify: Bool?

    @Option(help: "Verify the destination registry's TLS certificate (instead of --tls-verify).")
    var destTlsVerify: Bool?

    @Option(help: "A directory of CA certificates (*.crt) for the source registry (instead of --cert-dir).")
    var srcCertDir: String?

    @Option(help: "A directory of CA certificates (*.crt) for the destination registry (instead of --cert-dir).")
    var destCertDir: String?

    /// The first per-side flag given, for commands that take them only in some modes.
    var firstGiven: String? {
        let flags: [(String, Bool)] = [
            ("--src-creds", srcCreds != nil), ("--dest-creds", destCreds != nil),
            ("--src-authfile", srcAuthfile != nil), ("--dest-authfile", destAuthfile != nil),
            ("--src-no-creds", srcNoCreds), ("--dest-no-creds", destNoCreds),
            ("--src-tls-verify", srcTlsVerify != nil), ("--dest-tls-verify", destTlsVerify != nil),
            ("--src-cert-dir", srcCertDir != nil), ("--dest-cert-dir", destCertDir != nil),
        ]
        return flags.first { $0.1 }?.0
    }

    mutating func validate() throws {
        for (side, noCreds, creds, authfile) in [
            ("src", srcNoCreds, srcCreds, srcAuthfile), ("dest", destNoCreds, destCreds, destAuthfile),
        ] where noCreds && (creds != nil || authfile != nil) {
            throw ValidationError("--\(side)-no-creds cannot be combined with --\(side)-creds or --\(side)-authfile")
        }
    }

    /// The source side: `shared` with the `--src-*` flags applied.
    func source(_ shared: RegistryFlags) throws(SyncError) -> RegistryOptions {
        try SideRegistryFlags.apply(
            try shared.options(), creds: srcCreds, authfile: srcAuthfile, noCreds: srcNoCreds, tlsVerify: srcTlsVerify,
            certDir: srcCertDir)
    }

    /// The destination side: `shared` with the `--dest-*` flags applied.
    func destination(_ shared: RegistryFlags) throws(SyncError) -> RegistryOptions {
        try SideRegistryFlags.apply(
            try shared.options(), creds: destCreds, authfile: destAuthfile, noCreds: destNoCreds,
            tlsVerify: destTlsVerify, certDir: destCertDir)
    }

    private static func apply(
        _ options: RegistryOptions, creds: String?, authfile: String?, noCreds: Bool, tlsVerify: Bool?, certDir: String?
    ) throws(SyncError) -> RegistryOptions {
        options.overridden(
            credentials: try creds.map { (text) throws(SyncError) in try Credentials(parsing: text) },
            authFile: authfile, anonymous: noCreds ? true : nil, tlsVerify: tlsVerify, certDirectory: certDir)
    }
}
