// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CSODIUM_SHIM_H
#define OCITOOL_CSODIUM_SHIM_H
#include <sodium.h>
#endif
