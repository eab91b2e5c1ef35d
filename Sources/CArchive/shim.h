// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CARCHIVE_SHIM_H
#define OCITOOL_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

/// archive_set_error is variadic; Swift cannot call it.
static inline void ocitool_archive_set_error(struct archive *archive, int code, const char *message) {
    archive_set_error(archive, code, "%s", message);
}
#endif
