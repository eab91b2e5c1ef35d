// SPDX-License-Identifier: Apache-2.0
public import Layout

/// Why signing, attesting or verifying could not be done, or why an image did not verify.
///
/// The CLI maps `verificationFailed` and `tooManyCandidates` to exit code 4 (verification failed),
/// `invalidArgument` to 2 and the rest to 1.
public enum TrustError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A signature document (payload, manifest, envelope, bundle, statement) is not what its format requires.
    case malformed(String)
    /// A key file could not be read or is not a key.
    case keyFile(path: String, reason: String)
    /// No public key was given, or a directory held none.
    case noKeys(String)
    /// The image has more signature candidates than a verification examines.
    case tooManyCandidates(image: Digest, found: Int, limit: Int)
    /// No signature (or attestation) of the image verified; `reasons` says why each candidate failed.
    case verificationFailed(image: Digest, reasons: [String])
    /// A wrong argument: an identity that is no repository, a predicate that is not JSON, an unknown type.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed signature: \(reason)"
        case .keyFile(let path, let reason): "cannot use the key \(path): \(reason)"
        case .noKeys(let reason): reason
        case .tooManyCandidates(let image, let found, let limit):
            "\(image) has more than \(limit) signature candidates (\(found) found); none was trusted"
        case .verificationFailed(let image, let reasons):
            reasons.isEmpty
                ? "no signature found for \(image)"
                : "no valid signature for \(image): " + TrustError.summary(reasons)
        case .invalidArgument(let reason): reason
        }
    }

    /// The reasons, each once, with their counts, the most frequent first (one line even for a thousand candidates).
    static func summary(_ reasons: [String]) -> String {
        var counts: [String: Int] = [:]
        for reason in reasons { counts[reason, default: 0] += 1 }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { $0.value > 1 ? "\($0.key) (\($0.value) candidates)" : $0.key }
            .joined(separator: "; ")
    }
}
