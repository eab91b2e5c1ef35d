// SPDX-License-Identifier: Apache-2.0

/// Every error the `Scan` module throws: bad input is always one of these, never a crash.
public enum ScanError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A version string that the named scheme cannot order.
    case invalidVersion(scheme: String, version: String, reason: String)
    /// An OSV record that cannot be used (malformed JSON, a required field missing).
    case invalidRecord(id: String?, reason: String)
    /// An input larger than the cap for its kind.
    case inputTooLarge(what: String, size: Int, limit: Int)
    /// A CVSS vector that is not well formed for its version.
    case invalidCVSSVector(vector: String, reason: String)
    /// An input file (an SBOM, an ignore file, a VEX document, an import source) that cannot be used.
    case invalidInput(what: String, reason: String)
    /// SQLite failed on the vulnerability database.
    case database(path: String, message: String)
    /// A vulnerability database path holding a file that is not SQLite, or SQLite that is not ocitool's.
    case notADatabase(path: String)
    /// A vulnerability database written by a newer ocitool (a schema this version cannot read).
    case databaseSchemaTooNew(path: String, found: Int, supported: Int)
    /// A vulnerability database written by an older ocitool: it lacks what this version's matching reads, so it
    /// is refused rather than read as if it had no records; `openForImport` (`db import`) upgrades it.
    case databaseSchemaTooOld(path: String, found: Int, supported: Int)
    /// No vulnerability database at the path.
    case databaseMissing(path: String)
    /// An artifact that is not a vulnerability database.
    case notADatabaseArtifact(reference: String, artifactType: String?)
    /// A layer blob that is not a (readable) tar archive.
    case invalidLayer(layer: String, reason: String)
    /// An index with no image for the platform asked for (or none with a platform at all).
    case noMatchingPlatform(wanted: String?, available: [String])
    /// A manifest that is not a container image (an artifact such as an SBOM or a signature).
    case notAnImage(digest: String, configMediaType: String)

    public var description: String {
        switch self {
        case .invalidVersion(let scheme, let version, let reason):
            return "invalid \(scheme) version \"\(version)\": \(reason)"
        case .invalidRecord(let id, let reason):
            return "invalid OSV record\(id.map { " \($0)" } ?? ""): \(reason)"
        case .inputTooLarge(let what, let size, let limit):
            return "\(what) is \(size) bytes, over the limit of \(limit) bytes"
        case .invalidCVSSVector(let vector, let reason):
            return "invalid CVSS vector \"\(vector)\": \(reason)"
        case .invalidInput(let what, let reason):
            return "\(what): \(reason)"
        case .database(let path, let message):
            return "vulnerability database \(path): \(message)"
        case .notADatabase(let path):
            return "\(path) is not an ocitool vulnerability database (not SQLite, or SQLite without ocitool's tables)"
        case .databaseSchemaTooNew(let path, let found, let supported):
            return "vulnerability database \(path) has schema version \(found); this ocitool reads up to \(supported)"
        case .databaseSchemaTooOld(let path, let found, let supported):
            return "vulnerability database \(path) has schema version \(found), from an older ocitool; this one reads "
                + "version \(supported) only, which 'ocitool db import' upgrades it to"
        case .databaseMissing(let path):
            return "no vulnerability database at \(path)"
        case .notADatabaseArtifact(let reference, let artifactType):
            return "\(reference) is not a vulnerability database artifact (artifactType \(artifactType ?? "none"))"
        case .invalidLayer(let layer, let reason):
            return "layer \(layer) is not a readable tar archive: \(reason)"
        case .notAnImage(let digest, let configMediaType):
            return "\(digest) is not a container image (its config is \(configMediaType)): an artifact has no filesystem"
        case .noMatchingPlatform(let wanted, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return wanted.map { "the index has no image for \($0) (platforms: \(list))" }
                ?? "the index lists no image with a platform (platforms: \(list))"
        }
    }
}
