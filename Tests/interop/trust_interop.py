#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent checks of ocitool's signature formats (run by Tests/TrustTests/TrustInteropTests.swift).

    trust_interop.py dsse ENVELOPE.json PUBLIC.pem   securesystemslib verifies the DSSE envelope with the key
                                                   (its Envelope.verify over its own PAE); prints the payload type
    trust_interop.py bundle BUNDLE.json PUBLIC.pem   sigstore-models validates the bundle structure (strict
                                                   pydantic models of protobuf-specs); its envelope is then
                                                   verified as above; prints the statement's predicateType

Exit 0 when it holds, 1 (with the reason on stderr) when it does not.
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey


def verify_envelope(envelope_dict, pem):
    envelope = Envelope.from_dict(envelope_dict)
    public_key = load_pem_public_key(pem)
    # cosign (and ocitool) sign with RSA PKCS#1 v1.5; securesystemslib's RSA default is PSS.
    scheme = "rsa-pkcs1v15-sha256" if isinstance(public_key, RSAPublicKey) else None
    derived = SSlibKey.from_crypto(public_key, scheme=scheme)
    # DSSE matches signatures to keys by keyid; cosign (and ocitool) leave it empty, so the key takes the
    # signature's keyid. The signature itself is checked over securesystemslib's own PAE.
    keys = [SSlibKey(keyid, derived.keytype, derived.scheme, derived.keyval) for keyid in envelope.signatures]
    envelope.verify(keys, 1)
    return envelope


def main():
    mode, path, key_path = sys.argv[1:4]
    with open(path, "rb") as handle:
        document = handle.read()
    with open(key_path, "rb") as handle:
        pem = handle.read()
    try:
        if mode == "dsse":
            envelope = verify_envelope(json.loads(document), pem)
            print(envelope.payload_type)
        elif mode == "bundle":
            from sigstore_models.bundle.v1 import Bundle

            bundle = Bundle.from_json(document)
            raw = json.loads(document)["dsseEnvelope"]
            # protobuf JSON: bytes are base64 either way; securesystemslib wants keyid present.
            envelope_dict = {
                "payload": raw["payload"],
                "payloadType": raw["payloadType"],
                "signatures": [{"keyid": s.get("keyid", ""), "sig": s["sig"]} for s in raw["signatures"]],
            }
            envelope = verify_envelope(envelope_dict, pem)
            statement = json.loads(envelope.payload)
            if bundle.verification_material.public_key is None:
                raise ValueError("no publicKey in the verification material")
            print(statement["predicateType"])
        else:
            raise SystemExit(f"unknown mode {mode}")
    except Exception as error:  # the reason, on one line
        print(f"{type(error).__name__}: {error}".replace("\n", " "), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
