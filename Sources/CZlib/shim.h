// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CZLIB_SHIM_H
#define OCITOOL_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro; Swift cannot call it.
static inline int ocitool_zlib_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
