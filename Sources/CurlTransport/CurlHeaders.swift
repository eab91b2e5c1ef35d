// SPDX-License-Identifier: Apache-2.0
import CCurl

/// A `curl_slist` of request header lines, freed in deinit. It must outlive the transfer that uses it.
final class CurlHeaders {
    private(set) var list: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) {
        for line in lines {
            // curl_slist_append copies the string; on allocation failure it returns NULL and the old list stays.
            if let appended = curl_slist_append(list, line) { list = appended }
        }
    }

    deinit { curl_slist_free_all(list) }
}
