// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CSQLITE_SHIM_H
#define OCITOOL_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
