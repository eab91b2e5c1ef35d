// SPDX-License-Identifier: Apache-2.0

/// One invariant of the layout that does not hold.
public struct FsckProblem: Codable, Sendable, Hashable, CustomStringConvertible {
    /// What kind of invariant is broken.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A blob's content does not hash to its name.
        case corruptBlob
        /// A file under `blobs/` whose name is not a registered digest (or that is not a regular file).
        case invalidBlobName
        /// A config or layer a manifest references is not in the layout.
        case missingBlob
        /// A blob's size differs from the size a descriptor declares.
        case sizeMismatch
        /// A manifest that does not parse, or whose media type differs from its descriptor's.
        case invalidManifest
        /// A manifest index.json or an index lists is not in the layout.
        case missingManifest
        /// An index.json ref name that is not a valid tag.
        case invalidTag
        /// A tag listed more than once in index.json.
        case duplicateTag
        /// A referrer's index.json entry lacks the `dev.ocitool.subject` annotation or names another subject.
        case missingSubjectAnnotation
        /// The `oci-layout` file is missing, malformed or of another version.
        case invalidLayoutFile
        /// index.json is missing or malformed.
        case invalidIndex
    }

    public var kind: Kind
    /// The blob or manifest concerned, when there is one.
    public var digest: Digest?
    /// A precise description, e.g. `blob sha256:ab… has content sha256:cd…`.
    public var message: String

    public init(kind: Kind, digest: Digest? = nil, message: String) {
        self.kind = kind
        self.digest = digest
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
