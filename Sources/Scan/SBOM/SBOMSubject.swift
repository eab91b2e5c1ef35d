// SPDX-License-Identifier: Apache-2.0
public import Foundation
import Layout

/// What an SBOM describes and when it was made: the inputs besides the catalog.
public struct SBOMSubject: Sendable {
    /// How the document names the image (the reference as the user gave it, e.g. `app:1.0`).
    public var name: String
    /// The creation time; `SBOMSubject.creationTime(environment:)` honours `SOURCE_DATE_EPOCH`.
    public var created: Date
    /// The tool version written into the document.
    public var toolVersion: String

    public init(name: String, created: Date, toolVersion: String) {
        self.name = name
        self.created = created
        self.toolVersion = toolVersion
    }

    /// `SOURCE_DATE_EPOCH` (seconds since 1970) when set and valid, else now (reproducible-builds.org).
    public static func creationTime(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text), seconds >= 0 {
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return Date()
    }

    /// `2024-01-02T03:04:05Z`.
    var timestamp: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down)))
    }
}

/// Shared by the SBOM writers: stable identifiers derived from content, license expressions.
enum SBOMSupport {
    /// A short stable hex id for `parts` (SHA-256, first 16 hex digits).
    static func id(_ parts: String...) -> String {
        String(Digest.sha256(of: Data(parts.joined(separator: "\u{0}").utf8)).encoded.prefix(16))
    }

    /// The catalog's packages without exact duplicates (the same purl found at the same place).
    static func uniquePackages(_ catalog: ImageCatalog) -> [CatalogedPackage] {
        var seen = Set<String>()
        return catalog.packages.filter { seen.insert(key($0)).inserted }
    }

    static func key(_ package: CatalogedPackage) -> String {
        [package.purl.description, package.location.layer?.description ?? "", package.location.path]
            .joined(separator: "\u{0}")
    }

    /// The image's purl: `pkg:oci/NAME@DIGEST?arch=…&os=…` (NAME: the last path component, lowercased).
    static func imagePURL(_ catalog: ImageCatalog, name: String) -> PackageURL {
        var base = name
        if let at = base.firstIndex(of: "@") { base = String(base[..<at]) }
        var last = base.split(separator: "/").last.map(String.init) ?? base
        if let colon = last.lastIndex(of: ":") { last = String(last[..<colon]) }
        let cleaned = last.lowercased().filter { $0.isLetter || $0.isNumber || "._-".contains($0) }
        var qualifiers: [String: String] = [:]
        if let platform = catalog.platform {
            qualifiers["arch"] = platform.architecture
            qualifiers["os"] = platform.os
        }
        return PackageURL(
            type: "oci", name: cleaned.isEmpty ? "image" : cleaned, version: catalog.manifest.digest.description,
            qualifiers: qualifiers)
    }

    /// The declared licenses as one SPDX license expression when they form one (a list of plain identifiers,
    /// as apk writes `MIT BSD-2-Clause`, is joined with AND); nil when they do not.
    static func expression(_ licenses: [String]) -> String? {
        var terms: [String] = []
        for license in licenses {
            let tokens = tokenize(license)
            guard !tokens.isEmpty, isExpression(tokens) || tokens.allSatisfy(isIdentifier) else { return nil }
            let term = isExpression(tokens) ? tokens.joined(separator: " ") : tokens.joined(separator: " AND ")
            terms.append(tokens.count > 1 && licenses.count > 1 ? "(\(term))" : term)
        }
        guard !terms.isEmpty else { return nil }
        return terms.joined(separator: " AND ").replacingOccurrences(of: "( ", with: "(")
            .replacingOccurrences(of: " )", with: ")")
    }

    private static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == "(" || character == ")" {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                tokens.append(String(character))
            } else if character == " " || character == "\t" || character == "\n" {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func isIdentifier(_ token: String) -> Bool {
        guard !["AND", "OR", "WITH", "(", ")"].contains(token), !token.isEmpty else { return false }
        let body = token.hasSuffix("+") ? token.dropLast() : Substring(token)
        return !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    /// idstring ((AND|OR|WITH) idstring)*, with balanced parentheses.
    private static func isExpression(_ tokens: [String]) -> Bool {
        var index = 0
        func term() -> Bool {
            guard index < tokens.count else { return false }
            if tokens[index] == "(" {
                index += 1
                guard expression(), index < tokens.count, tokens[index] == ")" else { return false }
                index += 1
                return true
            }
            guard isIdentifier(tokens[index]) else { return false }
            index += 1
            return true
        }
        func expression() -> Bool {
            guard term() else { return false }
            while index < tokens.count, ["AND", "OR", "WITH"].contains(tokens[index]) {
                index += 1
                guard term() else { return false }
            }
            return true
        }
        return expression() && index == tokens.count
    }
}
