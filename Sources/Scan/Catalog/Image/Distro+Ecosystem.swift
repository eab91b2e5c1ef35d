// SPDX-License-Identifier: Apache-2.0

extension Distro {
    /// The OSV ecosystem of the distro's OS packages, as osv.dev names it: `Debian:12`, `Ubuntu:22.04:LTS`
    /// (`Ubuntu:23.10` for an interim release), `Alpine:v3.19`, `Red Hat:enterprise_linux:9`, `Rocky Linux:9`,
    /// `AlmaLinux:9`; nil for a distro (or a release) OSV has no records for.
    public var osvEcosystem: String? {
        guard let version = versionID, !version.isEmpty else { return nil }
        let parts = version.split(separator: ".")
        let major = parts.first.map(String.init) ?? version
        switch id {
        case "debian": return "Debian:\(major)"
        case "ubuntu":
            let isLTS = parts.count >= 2 && parts[1] == "04" && (Int(major) ?? 1) % 2 == 0
            return "Ubuntu:\(version)" + (isLTS ? ":LTS" : "")
        case "alpine":
            guard parts.count >= 2 else { return nil }
            return "Alpine:v\(major).\(parts[1])"
        case "rhel": return "Red Hat:enterprise_linux:\(major)"
        case "rocky": return "Rocky Linux:\(major)"
        case "almalinux": return "AlmaLinux:\(major)"
        default: return nil
        }
    }

    /// The purl namespace of its OS packages, as syft writes it (`debian`, `ubuntu`, `alpine`, `redhat` for RHEL,
    /// else the os-release ID).
    public var purlNamespace: String {
        id == "rhel" ? "redhat" : id
    }

    /// The purl `distro` qualifier: `ID-VERSION_ID` (`debian-12`, `alpine-3.19.1`), or the ID alone.
    public var purlQualifier: String {
        versionID.map { "\(id)-\($0)" } ?? id
    }

    /// The package kind the distro installs with (dpkg for Debian and Ubuntu, apk for Alpine and Wolfi, rpm for
    /// the Red Hat family, SUSE, Amazon Linux …); nil for one not known here.
    public var nativePackageKind: CatalogedPackage.Kind? {
        switch id {
        case "debian", "ubuntu", "raspbian", "linuxmint", "pop", "kali", "devuan": .deb
        case "alpine", "wolfi", "chainguard", "postmarketos": .apk
        case "rhel", "rocky", "almalinux", "centos", "fedora", "amzn", "ol", "mariner", "azurelinux", "sles",
            "opensuse-leap", "opensuse-tumbleweed":
            .rpm
        default: nil
        }
    }

    /// An OS package found in a layer, completed once the image's distro is known: the purl's namespace and
    /// `distro` qualifier, and the OSV ecosystem. Other kinds, and OS packages of another family than the
    /// distro's (an apk database in a Debian image), are returned unchanged: no ecosystem is guessed for them.
    public static func finish(_ package: CatalogedPackage, distro: Distro?) -> CatalogedPackage {
        guard [.deb, .apk, .rpm].contains(package.kind), let distro else { return package }
        if let native = distro.nativePackageKind, native != package.kind { return package }
        var result = package
        result.purl.namespace = distro.purlNamespace
        result.purl.qualifiers["distro"] = distro.purlQualifier
        result.ecosystem = distro.osvEcosystem
        return result
    }
}
