// SPDX-License-Identifier: Apache-2.0

/// OSV records transcribed from published advisories (ids, packages, ranges and versions as
/// published; details and references left out). Synthetic ones say so.
enum OSVRecords {
    /// Log4Shell (CVE-2021-44228), GitHub's advisory: three Maven ranges.
    static let log4shell = """
        {"id": "GHSA-jfh8-c2jp-5v3q", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-44228"],
         "summary": "Remote code injection in Log4j", "database_specific": {"severity": "CRITICAL", "cwe_ids": ["CWE-502"]},
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
         "affected": [
          {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.13.0"}, {"fixed": "2.15.0"}]}]},
          {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0-beta9"}, {"fixed": "2.3.1"}]}]},
          {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.4"}, {"fixed": "2.12.2"}]}]}
         ]}
        """

    /// minimist prototype pollution (CVE-2021-44906): two npm ranges.
    static let minimist = """
        {"id": "GHSA-xvch-5gv4-984h", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-44906"],
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
         "affected": [
          {"package": {"ecosystem": "npm", "name": "minimist", "purl": "pkg:npm/minimist"},
           "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.2.4"}]}]},
          {"package": {"ecosystem": "npm", "name": "minimist", "purl": "pkg:npm/minimist"},
           "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.6"}]}]}
         ]}
        """

    /// glibc "Looney Tunables" (CVE-2023-4911), Debian's advisory for bookworm.
    static let looneyTunables = """
        {"id": "DSA-5514-1", "modified": "2023-10-03T00:00:00Z", "upstream": ["CVE-2023-4911"],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]}
        """

    /// OpenSSL CVE-2023-5363 in Alpine v3.18.
    static let alpineOpenSSL = """
        {"id": "ALPINE-CVE-2023-5363", "modified": "2023-10-25T00:00:00Z", "upstream": ["CVE-2023-5363"],
         "affected": [{"package": {"ecosystem": "Alpine:v3.18", "name": "openssl"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.4-r0"}]}]}]}
        """

    /// Go's HTTP/2 server DoS (CVE-2022-27664): the standard library and golang.org/x/net (a pseudo-version fix).
    static let goHTTP2 = """
        {"id": "GO-2022-0969", "modified": "2023-06-12T18:45:41Z", "aliases": ["CVE-2022-27664", "GHSA-69cg-p879-7622"],
         "affected": [
          {"package": {"ecosystem": "Go", "name": "stdlib"},
           "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.18.6"}, {"introduced": "1.19.0-0"}, {"fixed": "1.19.1"}]}]},
          {"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
           "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.0.0-20220906165146-f3363e06e74c"}]}]}
         ]}
        """

    /// Jinja2's xmlattr filter (CVE-2024-22195): a PyPI name as published ("jinja2").
    static let jinja2 = """
        {"id": "GHSA-h5c8-rqwp-cp95", "modified": "2024-01-11T00:00:00Z", "aliases": ["CVE-2024-22195"],
         "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.3"}]}]}]}
        """

    /// glibc CVE-2023-4911 for RHEL 9.2 EUS (Red Hat's RHSA-2023:5453, epoch as published).
    static let redHatGlibc = """
        {"id": "RHSA-2023:5453", "modified": "2023-10-05T00:00:00Z", "upstream": ["CVE-2023-4911"],
         "affected": [{"package": {"ecosystem": "Red Hat:rhel_eus:9.2::baseos", "name": "glibc"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0:2.34-60.el9_2.7"}]}]}]}
        """

    /// Synthetic (the schema's own shapes): `last_affected`, `limit`, an explicit versions list and a GIT range.
    static let synthetic = """
        {"id": "TEST-2026-0001", "modified": "2026-01-01T00:00:00Z", "future_field": {"anything": [1, 2]},
         "affected": [
          {"package": {"ecosystem": "PyPI", "name": "Example_Package"},
           "ranges": [
            {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4.2"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"limit": "0.5"}, {"fixed": "0.9"}]},
            {"type": "GIT", "repo": "https://example.com/repo.git", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}
           ],
           "versions": ["2.0.dev1"]}
         ]}
        """

    /// Synthetic: a withdrawn record.
    static let withdrawn = """
        {"id": "TEST-2026-0002", "modified": "2026-01-02T00:00:00Z", "withdrawn": "2026-01-02T00:00:00Z",
         "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
           "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}
        """

    /// Synthetic: a range type from a future schema next to a good range.
    static let unknownRangeType = """
        {"id": "TEST-2026-0003", "modified": "2026-01-03T00:00:00Z",
         "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
           "ranges": [{"type": "CALVER", "events": [{"introduced": "2024.01"}]},
                      {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.3.0"}]}]}]}
        """

    /// Synthetic: a record whose range holds a version its ecosystem cannot parse.
    static let badVersion = """
        {"id": "TEST-2026-0004", "modified": "2026-01-04T00:00:00Z",
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "zlib"},
           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not a version!"}]}]}]}
        """
}
