// SPDX-License-Identifier: Apache-2.0
#ifndef OCITOOL_CCURL_SHIM_H
#define OCITOOL_CCURL_SHIM_H
#include <curl/curl.h>

/// curl_easy_setopt is variadic: Swift cannot call it, so each argument type gets a wrapper.
static inline CURLcode ocitool_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ocitool_curl_setopt_ptr(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ocitool_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
/// Write, header and read callbacks share one C type (`curl_write_callback` == `curl_read_callback`).
static inline CURLcode ocitool_curl_setopt_callback(CURL *handle, CURLoption option, curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ocitool_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ocitool_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
