// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import OCICrypto

/// Bearer tokens as JWTs signed with HMAC-SHA256 (HS256), in the claims layout of the Docker token spec: the
/// subject, the audience (the service), issue and expiry times, and `access`, the actions granted per resource.
///
/// Spec: https://distribution.github.io/distribution/spec/auth/jwt/
struct RegistryToken: Sendable {
    /// One grant: `{"type":"repository","name":"team/app","actions":["pull","push"]}`.
    struct Access: Codable, Sendable, Equatable {
        var type: String
        var name: String
        var actions: [String]
    }

    /// The claims a token carries.
    struct Claims: Codable, Sendable, Equatable {
        var iss: String
        var sub: String
        var aud: String
        var exp: Int64
        var nbf: Int64
        var iat: Int64
        var jti: String
        var access: [Access]

        /// The actions granted on a resource.
        func actions(type: String, name: String) -> Set<String> {
            Set(access.filter { $0.type == type && $0.name == name }.flatMap(\.actions))
        }
    }

    private let key: [UInt8]
    let issuer: String
    let audience: String

    /// - Parameters:
    ///   - secret: the signing key (nil: 32 random bytes).
    ///   - issuer: the `iss` claim.
    ///   - audience: the `aud` claim (the service name).
    init(secret: String?, issuer: String, audience: String) {
        if let secret {
            key = Array(secret.utf8)
        } else {
            var generator = SystemRandomNumberGenerator()
            key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        self.issuer = issuer
        self.audience = audience
    }

    /// A signed token.
    func sign(_ claims: Claims) -> String {
        let header = RegistryToken.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = RegistryToken.base64URL((try? JSONEncoder.ocitool.encode(claims)) ?? Data("{}".utf8))
        let input = header + "." + payload
        return input + "."
            + RegistryToken.base64URL(Data(HMAC.sha256(key: key, message: Array(input.utf8))))
    }

    /// The claims of a token this service signed, still valid at `now` and meant for this audience; nil
    /// otherwise.
    func verify(_ token: String, now: Date = Date()) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = RegistryToken.decodeBase64URL(parts[0]),
            let payload = RegistryToken.decodeBase64URL(parts[1]),
            let signature = RegistryToken.decodeBase64URL(parts[2])
        else { return nil }
        let expected = HMAC.sha256(key: key, message: Array((parts[0] + "." + parts[1]).utf8))
        guard HMAC.constantTimeEqual(Array(signature), expected) else { return nil }
        struct Header: Decodable { let alg: String }
        guard (try? JSONDecoder().decode(Header.self, from: header))?.alg == "HS256",
            let claims = try? JSONDecoder().decode(Claims.self, from: payload)
        else { return nil }
        let seconds = Int64(now.timeIntervalSince1970)
        guard claims.aud == audience, claims.iss == issuer, claims.exp > seconds, claims.nbf <= seconds + 60 else {
            return nil
        }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
