#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates an SBOM with its ecosystem's own tools (ScanTests: SBOMDocumentTests).

  sbom_validate.py spdx FILE        spdx-tools: parse the SPDX 2.3 JSON and validate the document
  sbom_validate.py cyclonedx FILE   cyclonedx-python-lib: the strict CycloneDX 1.5 JSON schema
Prints "ok" and exits 0 when valid; prints each problem and exits 1 otherwise.
"""
import sys


def spdx(path):
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    document = parse_file(path)
    problems = validate_full_spdx_document(document, "SPDX-2.3")
    return [p.validation_message for p in problems], len(document.packages)


def cyclonedx(path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    with open(path) as f:
        text = f.read()
    error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
    return ([str(error)] if error else []), None


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    problems, count = {"spdx": spdx, "cyclonedx": cyclonedx}[kind](path)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("ok" if count is None else "ok %d" % count)
