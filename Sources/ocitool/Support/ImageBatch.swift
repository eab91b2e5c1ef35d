// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout
import Sync

/// Several IMAGE arguments to one command (`sign`, `attest`, `verify`), done in order. With one image nothing
/// changes; with several, a library error of one image is printed as one `error: IMAGE: …` line (and its
/// hint), and becomes `ExitCode` with the error's documented code, so the caller decides whether to go on.
struct ImageBatch {
    /// The images, as given.
    let images: [String]

    init(_ images: [String]) { self.images = images }

    /// Whether more than one image was given.
    var isBatch: Bool { images.count > 1 }

    /// Runs `body` for `image`; in a batch, a library error is printed naming the image and thrown as its exit
    /// code. Other errors (usage errors, which name their reference themselves) pass through unchanged.
    func naming<T>(_ image: String, _ body: () throws -> T) throws -> T {
        guard isBatch else { return try body() }
        do {
            return try body()
        } catch {
            guard let report = ErrorReport(any: error) else { throw error }
            report.naming(image).print()
            throw ExitCode(report.exitCode)
        }
    }

    /// An image of a `sign` or `attest` batch, found: its repository, its manifest and the identity the signature
    /// states for it.
    struct Target {
        let repository: any ImageRepository
        let descriptor: Descriptor
        let identity: String
    }

    /// Finds `image` for `command` (`sign`, `attest`), naming it in a batch's errors.
    /// - Parameter identity: `--identity`, else the image's registry repository.
    func target(_ image: String, for command: String, identity: String?, registry: RegistryOptions) throws -> Target {
        try naming(image) {
            let reference = try ImageReference(parsing: image)
            let statedIdentity = try IdentityFlags.signingIdentity(identity, for: reference)
            let (repository, selector) = try ImageEndpoint.repository(reference, for: command, registry: registry)
            return Target(repository: repository, descriptor: try repository.resolve(selector), identity: statedIdentity)
        }
    }
}
