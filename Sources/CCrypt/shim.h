// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CCRYPT_SHIM_H
#define OCITOOL_CCRYPT_SHIM_H
// libxcrypt's reentrant entry points, declared here rather than through <crypt.h>: including libc headers into
// this module makes Swift attribute libc types (struct stat, timespec) to another module in Serve. Both
// functions take the sizes of their buffers, so no libxcrypt struct layout is assumed.

/// Bytes of the work area crypt_rn needs (sizeof(struct crypt_data) is 32768 in libxcrypt 4.x).
#define OCITOOL_CRYPT_DATA_SIZE 32768
/// Bytes of the setting crypt_gensalt_rn writes (CRYPT_GENSALT_OUTPUT_SIZE).
#define OCITOOL_CRYPT_GENSALT_OUTPUT_SIZE 192

char *crypt_rn(const char *phrase, const char *setting, void *data, int size);
char *crypt_gensalt_rn(const char *prefix, unsigned long count, const char *rbytes, int nrbytes, char *output,
                       int output_size);
#endif
