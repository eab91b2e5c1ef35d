// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_COPENSSL_SHIM_H
#define OCITOOL_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#endif
