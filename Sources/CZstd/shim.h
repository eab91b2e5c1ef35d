// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CZSTD_SHIM_H
#define OCITOOL_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>
#endif
