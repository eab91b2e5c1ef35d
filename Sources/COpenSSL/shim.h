// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_COPENSSL_SHIM_H
#define OCITOOL_COPENSSL_SHIM_H
/// The SHA-2 contexts of <openssl/sha.h> are deprecated in 3.0 but kept: unlike EVP's, their state can be saved
/// and restored (a resumable upload's hash, `DigestHasher.state`).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/// The key selections of OSSL_DECODER (object-like macros built from other macros with `|`).
static inline int ocitool_openssl_select_keypair(void) { return EVP_PKEY_KEYPAIR; }
static inline int ocitool_openssl_select_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
