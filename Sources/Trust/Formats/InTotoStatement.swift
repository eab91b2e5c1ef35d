// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Layout

/// An in-toto Statement: what a DSSE envelope of type `application/vnd.in-toto+json` carries. ocitool writes
/// v1 (`https://in-toto.io/Statement/v1`) and reads v1 and v0.1 (what cosign 2 wrote for attestations).
///
/// Spec: https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
public struct InTotoStatement: Sendable, Hashable {
    /// `_type` of a v1 statement.
    public static let typeV1 = "https://in-toto.io/Statement/v1"
    /// `_type` of a v0.1 statement.
    public static let typeV01 = "https://in-toto.io/Statement/v0.1"

    /// One subject: a name (cosign: the repository) and digests by algorithm.
    public struct Subject: Sendable, Hashable {
        public var name: String?
        public var digest: [String: String]
        public var annotations: [String: String]?

        public init(name: String?, digest: [String: String], annotations: [String: String]? = nil) {
            self.name = name
            self.digest = digest
            self.annotations = annotations
        }

        /// A subject for an image manifest.
        public init(name: String?, image: Digest, annotations: [String: String]? = nil) {
            self.init(name: name, digest: [image.algorithm.rawValue: image.encoded], annotations: annotations)
        }

        /// Whether this subject names `image` (by its algorithm's digest).
        public func names(_ image: Digest) -> Bool { digest[image.algorithm.rawValue] == image.encoded }
    }

    /// `_type`.
    public var type: String
    /// The subjects.
    public var subjects: [Subject]
    /// `predicateType`: what the predicate is (an SPDX document, SLSA provenance, …).
    public var predicateType: String
    /// The predicate's JSON text (an object).
    public var predicate: Data

    public init(type: String = InTotoStatement.typeV1, subjects: [Subject], predicateType: String, predicate: Data) {
        self.type = type
        self.subjects = subjects
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// The statement's JSON: the predicate embedded as given (its own bytes, trimmed of outer whitespace).
    public var json: Data {
        let subjects = GoJSON.Value.array(subjects.map { (subject) -> GoJSON.Value in
            var fields: [(String, GoJSON.Value)] = []
            if let name = subject.name { fields.append(("name", .string(name))) }
            fields.append(("digest", .stringMap(subject.digest)))
            if let annotations = subject.annotations, !annotations.isEmpty {
                fields.append(("annotations", .stringMap(annotations)))
            }
            return .object(fields)
        })
        let predicateText = String(decoding: predicate, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let value = GoJSON.Value.object([
            ("_type", .string(type)), ("subject", subjects), ("predicateType", .string(predicateType)),
            ("predicate", GoJSON.Value(text: predicateText.isEmpty ? "{}" : predicateText)),
        ])
        return Data(value.bytes)
    }

    /// Parses a statement.
    /// - Throws: `TrustError.malformed` for another `_type`, no subject, a missing predicate type or predicate.
    public init(parsing data: Data) throws(TrustError) {
        let object = try StrictJSON.object(data, what: "the in-toto statement")
        guard let type = object["_type"] as? String, [InTotoStatement.typeV1, InTotoStatement.typeV01].contains(type)
        else {
            throw .malformed("the statement's '_type' is not \(InTotoStatement.typeV1) (or v0.1)")
        }
        guard let subjects = object["subject"] as? [[String: Any]], !subjects.isEmpty else {
            throw .malformed("the statement has no subject")
        }
        var parsed: [Subject] = []
        for subject in subjects {
            guard let digest = subject["digest"] as? [String: String], !digest.isEmpty else {
                throw .malformed("a statement subject has no digest")
            }
            parsed.append(
                Subject(
                    name: (subject["name"] as? String).flatMap { $0.isEmpty ? nil : $0 }, digest: digest,
                    annotations: subject["annotations"] as? [String: String]))
        }
        guard let predicateType = object["predicateType"] as? String, !predicateType.isEmpty else {
            throw .malformed("the statement has no 'predicateType'")
        }
        let predicate: Data
        if let value = object["predicate"], !(value is NSNull) {
            guard JSONSerialization.isValidJSONObject(value),
                let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
            else { throw .malformed("the statement's 'predicate' is not a JSON object") }
            predicate = encoded
        } else {
            predicate = Data("{}".utf8)
        }
        self.init(type: type, subjects: parsed, predicateType: predicateType, predicate: predicate)
    }
}
