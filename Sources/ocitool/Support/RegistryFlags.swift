// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import CurlTransport
import Foundation
import Sync

/// How commands reach registries (`docker://` references), with skopeo's flag names, and S3 buckets (`s3://`).
struct RegistryFlags: ParsableArguments {
    @Option(help: "Credentials USER:PASSWORD for the registry (default: the auth file's credential helper or entry, else anonymous).")
    var creds: String?

    @Option(help: "An auth file (docker config.json format) to read instead of the default ones.")
    var authfile: String?

    @Flag(help: "Access the registry anonymously: no --creds, no auth file, no credential helper.")
    var noCreds = false

    @Option(help: """
        Verify the registry's TLS certificate (alone: true). --tls-verify=false makes it an insecure registry, as \
        for skopeo: HTTPS without verification, plain HTTP when it does not speak TLS. Loopback registries \
        (127.0.0.0/8, localhost, ::1) fall back to plain HTTP too, as docker's do, but keep verification.
        """)
    var tlsVerify = true

    @Option(help: "A directory of CA certificates (*.crt) to trust for the registry.")
    var certDir: String?

    @Flag(help: "Talk plain HTTP from the start (loopback and --tls-verify=false registries find it by themselves).")
    var plainHTTP = false

    @OptionGroup var s3: S3Flags

    mutating func validate() throws {
        if noCreds, creds != nil || authfile != nil {
            throw ValidationError("--no-creds cannot be combined with --creds or --authfile")
        }
    }

    /// The library's view of these flags.
    func options() throws(SyncError) -> RegistryOptions {
        var options = RegistryOptions(
            credentials: try creds.map { (text) throws(SyncError) in try Credentials(parsing: text) },
            authFile: authfile, anonymous: noCreds, plainHTTP: plainHTTP,
            transport: TransportOptions(tlsVerify: tlsVerify, certDirectory: certDir))
        options.s3Endpoint = s3.s3Endpoint
        options.s3Region = s3.s3Region
        return options
    }
}
