// SPDX-License-Identifier: Apache-2.0

/// OSV ecosystem names and the version order each one uses.
///
/// Spec: https://ossf.github.io/osv-schema/#defined-ecosystems. A release suffix after `:`
/// (`Debian:12`, `Alpine:v3.19`, `Red Hat:enterprise_linux:9`) selects a release, not an order.
public enum Ecosystem {
    /// The version scheme for an OSV ecosystem name, or nil for an ecosystem without one here.
    public static func scheme(for ecosystem: String) -> (any VersionScheme)? {
        let base = ecosystem.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ecosystem
        switch base {
        case "Debian", "Ubuntu": return DpkgVersionScheme()
        case "Alpine": return APKVersionScheme()
        case "PyPI": return PEP440VersionScheme()
        case "npm": return SemVerScheme()
        case "Go": return GoVersionScheme()
        case "Maven": return MavenVersionScheme()
        case "Red Hat", "Rocky Linux", "AlmaLinux": return RPMVersionScheme()
        default: return nil
        }
    }

    /// Why packages of `ecosystem` cannot be looked up, or nil when they can.
    ///
    /// OSV's Red Hat records are per product stream (`Red Hat:rhel_eus:9.2::baseos`,
    /// `Red Hat:enterprise_linux:9::appstream`), which neither a purl nor an image's os-release names: a Red Hat
    /// package looked up by its release alone would find no record and read as clean, so it is not looked up.
    public static func unmatchableReason(_ ecosystem: String) -> String? {
        let base = ecosystem.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ecosystem
        guard base == "Red Hat", !ecosystem.contains("::") else { return nil }
        return "OSV's Red Hat records are per product stream (such as Red Hat:rhel_eus:9.2::baseos), which the "
            + "package's purl or the image's os-release does not name"
    }

    /// A package name as the ecosystem compares it: PyPI names are normalised (PEP 503: lowercase,
    /// runs of `-`, `_`, `.` as one `-`); other ecosystems compare names exactly.
    public static func normalizedName(_ name: String, ecosystem: String) -> String {
        guard ecosystem == "PyPI" else { return name }
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }
}
