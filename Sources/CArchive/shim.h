// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CARCHIVE_SHIM_H
#define OCITOOL_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
