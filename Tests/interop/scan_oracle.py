# SPDX-License-Identifier: Apache-2.0
"""Independent oracles for ScanTests, one process per scheme (stdin in, stdout out, line for line).

    scan_oracle.py pypi|npm|alpine|maven|golang   univers orders ("A<TAB>B" -> -1, 0, 1 or E)
    scan_oracle.py rpm                             rpm.labelCompare (run with /usr/bin/python3, python3-rpm)
    scan_oracle.py cvss3|cvss4                     cvss base scores ("VECTOR" -> "9.8 CRITICAL" or E)

Run the univers and cvss modes with the interpreter of .venv-test (scripts/install-test-deps.sh).
"""
import sys


def sign(a, b):
    return (a > b) - (a < b)


def univers_compare(kind):
    from univers import versions

    cls = {
        "pypi": versions.PypiVersion,
        "npm": versions.SemverVersion,
        "alpine": versions.AlpineLinuxVersion,
        "maven": versions.MavenVersion,
        "golang": versions.GolangVersion,
    }[kind]
    return lambda a, b: sign(cls(a), cls(b))


def rpm_compare():
    import rpm

    def evr(text):
        epoch, _, rest = text.rpartition(":") if ":" in text else ("0", "", text)
        version, dash, release = rest.rpartition("-")
        if not dash:
            version, release = rest, None
        return (epoch or "0", version, release)

    return lambda a, b: rpm.labelCompare(evr(a), evr(b))


def cvss_score(kind):
    import cvss

    cls = cvss.CVSS3 if kind == "cvss3" else cvss.CVSS4

    def score(vector):
        c = cls(vector)
        if kind == "cvss3":
            return "%s %s" % (c.base_score, c.severities()[0].upper())
        return "%s %s" % (c.base_score, c.severity.upper())

    return score


def main():
    kind = sys.argv[1]
    if kind in ("cvss3", "cvss4"):
        fn = cvss_score(kind)
        for line in sys.stdin:
            try:
                print(fn(line.rstrip("\n")))
            except Exception:
                print("E")
        return
    fn = rpm_compare() if kind == "rpm" else univers_compare(kind)
    for line in sys.stdin:
        a, b = line.rstrip("\n").split("\t")
        try:
            print(fn(a, b))
        except Exception:
            print("E")


if __name__ == "__main__":
    main()
