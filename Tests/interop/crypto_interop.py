# SPDX-License-Identifier: Apache-2.0
"""Independent implementations for ocitool's key and signature tests (Tests/CryptoTests/PythonInteropTests.swift).

cosign's encrypted key format is done here from its published definition only: hashlib.scrypt for the KDF,
PyNaCl's SecretBox for nacl/secretbox, and `cryptography` for PKCS#8, SubjectPublicKeyInfo and signatures.
Run with the interpreter of the venv scripts/install-test-deps.sh makes (.venv-test/bin/python).

  open KEYFILE PASSWORD          decrypt a cosign key; print its public key as SPKI PEM
  seal PASSWORD KEYFILE [N]      generate a P-256 key, write it encrypted in cosign's format; print its SPKI PEM
  sign KIND MESSAGEFILE          generate a KIND key, sign; print {"publicKey": PEM, "signature": base64}
  verify KIND PUBFILE MESSAGEFILE SIGNATURE
                                 verify a base64 signature; exit 0 if valid, 1 if not
KIND: ecdsa-p256, ecdsa-p384, ed25519, rsa-pkcs1, rsa-pss
"""
import base64
import hashlib
import json
import os
import sys

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

PEM_TYPES = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")


def spki_pem(public_key):
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def pem_body(text):
    lines = text.strip().splitlines()
    kind = lines[0][len("-----BEGIN "):-len("-----")]
    assert kind in PEM_TYPES, kind
    assert lines[-1] == f"-----END {kind}-----"
    return base64.b64decode("".join(lines[1:-1]))


def open_key(path, password):
    document = json.loads(pem_body(open(path).read()))
    kdf, cipher = document["kdf"], document["cipher"]
    assert kdf["name"] == "scrypt" and cipher["name"] == "nacl/secretbox"
    params = kdf["params"]
    salt, nonce = base64.b64decode(kdf["salt"]), base64.b64decode(cipher["nonce"])
    assert len(salt) == 32 and len(nonce) == 24
    key = hashlib.scrypt(password.encode(), salt=salt, n=params["N"], r=params["r"], p=params["p"],
                         maxmem=256 * 1024 * 1024, dklen=32)
    plaintext = nacl.secret.SecretBox(key).decrypt(base64.b64decode(document["ciphertext"]), nonce)
    private = serialization.load_der_private_key(plaintext, password=None)
    print(spki_pem(private.public_key()), end="")


def seal_key(password, path, n=65536):
    private = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt, nonce = os.urandom(32), os.urandom(24)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, maxmem=256 * 1024 * 1024, dklen=32)
    ciphertext = nacl.secret.SecretBox(key).encrypt(pkcs8, nonce).ciphertext
    document = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
    body = base64.b64encode(json.dumps(document).encode()).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    with open(path, "w") as file:
        file.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + "\n".join(lines)
                   + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    print(spki_pem(private.public_key()), end="")


def pss():
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


def sign(kind, message_path):
    message = open(message_path, "rb").read()
    if kind == "ecdsa-p256":
        private = ec.generate_private_key(ec.SECP256R1())
        signature = private.sign(message, ec.ECDSA(hashes.SHA256()))
    elif kind == "ecdsa-p384":
        private = ec.generate_private_key(ec.SECP384R1())
        signature = private.sign(message, ec.ECDSA(hashes.SHA384()))
    elif kind == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
        signature = private.sign(message)
    elif kind == "rsa-pkcs1":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    elif kind == "rsa-pss":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signature = private.sign(
            message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
            hashes.SHA256())
    else:
        raise SystemExit(f"unknown kind {kind}")
    print(json.dumps({"publicKey": spki_pem(private.public_key()),
                      "signature": base64.b64encode(signature).decode()}))


def verify(kind, public_path, message_path, signature_b64):
    public = serialization.load_pem_public_key(open(public_path, "rb").read())
    message = open(message_path, "rb").read()
    signature = base64.b64decode(signature_b64)
    try:
        if kind == "ecdsa-p256":
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif kind == "ecdsa-p384":
            public.verify(signature, message, ec.ECDSA(hashes.SHA384()))
        elif kind == "ed25519":
            public.verify(signature, message)
        elif kind == "rsa-pkcs1":
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif kind == "rsa-pss":
            public.verify(signature, message, pss(), hashes.SHA256())
        else:
            raise SystemExit(f"unknown kind {kind}")
    except InvalidSignature:
        print("invalid signature")
        sys.exit(1)
    print("valid")


def main(argv):
    command = argv[1]
    if command == "open":
        try:
            open_key(argv[2], argv[3])
        except nacl.exceptions.CryptoError:
            print("decryption failed")
            sys.exit(1)
    elif command == "seal":
        seal_key(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 65536)
    elif command == "sign":
        sign(argv[2], argv[3])
    elif command == "verify":
        verify(argv[2], argv[3], argv[4], argv[5])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
