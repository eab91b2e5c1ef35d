// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One PEM block (RFC 7468): a type label and the DER bytes between its BEGIN and END lines.
public struct PEMBlock: Hashable, Sendable {
    /// The label, such as `PUBLIC KEY` or `ENCRYPTED SIGSTORE PRIVATE KEY`.
    public let type: String
    /// The decoded body.
    public let bytes: [UInt8]

    /// A block of `type` around `bytes`.
    public init(type: String, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// Reads the first PEM block in `text` (text before it is ignored, as Go's `pem.Decode` does).
    /// - Parameter text: PEM text.
    /// - Throws: `OCICryptoError.invalidPEM` when there is no BEGIN line, no matching END line (a truncated file),
    ///   RFC 1421 headers (legacy OpenSSL encryption), an empty body, or a body that is not base64.
    public init(parsing text: String) throws {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw OCICryptoError.invalidPEM("no '-----BEGIN …-----' line")
        }
        let type = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast("-----".count))
        let endLine = "-----END \(type)-----"
        guard let end = lines[begin...].firstIndex(of: endLine) else {
            throw OCICryptoError.invalidPEM("the '\(type)' block has no '\(endLine)' line (is the file truncated?)")
        }
        let body = lines[(begin + 1)..<end]
        if body.contains(where: { $0.contains(":") }) {
            throw OCICryptoError.invalidPEM(
                "the '\(type)' block has headers (legacy OpenSSL encryption is not supported; "
                    + "use PKCS#8 or cosign's format)"
            )
        }
        let base64 = body.joined()
        guard !base64.isEmpty else { throw OCICryptoError.invalidPEM("the '\(type)' block is empty") }
        guard let bytes = Data(base64Encoded: base64) else {
            throw OCICryptoError.invalidPEM("the body of the '\(type)' block is not valid base64")
        }
        self.init(type: type, bytes: Array(bytes))
    }

    /// The block as PEM text: 64-column base64 lines and a final newline (as Go's `pem.Encode` writes).
    public var encoded: String {
        let base64 = Data(bytes).base64EncodedString()
        var lines = ["-----BEGIN \(type)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let next = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<next]))
            index = next
        }
        lines.append("-----END \(type)-----")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension PEMBlock {
    /// PKCS#8 `PrivateKeyInfo`, unencrypted.
    public static let privateKeyType = "PRIVATE KEY"
    /// SEC1 `ECPrivateKey`.
    public static let ecPrivateKeyType = "EC PRIVATE KEY"
    /// PKCS#1 `RSAPrivateKey`.
    public static let rsaPrivateKeyType = "RSA PRIVATE KEY"
    /// X.509 `SubjectPublicKeyInfo`.
    public static let publicKeyType = "PUBLIC KEY"
    /// PKCS#1 `RSAPublicKey`.
    public static let rsaPublicKeyType = "RSA PUBLIC KEY"
}
