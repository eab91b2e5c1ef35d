// SPDX-License-Identifier: Apache-2.0
import CCurl
import Foundation

/// One libcurl easy handle, reused for request after request so its connections stay open (keep-alive).
///
/// `perform` blocks the calling thread: call it from a dedicated thread, never from Swift concurrency's
/// cooperative pool. `@unchecked Sendable` because a handle is confined to one thread at a time: the
/// `RegistryClient` lends each handle to a single caller under a lock and takes it back afterwards.
///
/// The only file (with `CurlHeaders.swift`) that calls libcurl.
package final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes a detailed message here when a transfer fails (CURLOPT_ERRORBUFFER).
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    /// A response's status line and header fields (of the last response when redirects were followed).
    package struct Response {
        package var status: Int
        package var headers: HTTPHeaders
    }

    /// - Throws: `CurlError` when libcurl cannot allocate a handle.
    package init() throws(CurlError) {
        _ = CurlEasy.globalInit
        guard let handle = curl_easy_init() else {
            errorBuffer.deallocate()
            throw CurlError(code: 2, message: "curl_easy_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// `curl_global_init`, once per process (Swift runs a global's initializer exactly once).
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// The CA bundle libcurl uses by default (CURLINFO_CAINFO), e.g. `/etc/ssl/certs/ca-certificates.crt`.
    package static let defaultCABundle: String? = {
        _ = globalInit
        guard let handle = curl_easy_init() else { return nil }
        defer { curl_easy_cleanup(handle) }
        var path: UnsafeMutablePointer<CChar>?
        guard ocitool_curl_getinfo_string(handle, CURLINFO_CAINFO, &path) == CURLE_OK, let path else { return nil }
        return String(cString: path)
    }()

    /// Performs one request, blocking until the response is complete.
    /// - Parameters:
    ///   - request: method, URL, headers, body length, TLS options.
    ///   - receive: called with the current response's status, header fields and each piece of its body;
    ///     returning false aborts the transfer (CURLE_WRITE_ERROR).
    ///   - send: fills the buffer with the next request body bytes and returns how many (0 at the end), or nil
    ///     to abort. Required when `request.uploadLength` is set.
    /// - Returns: the final status and headers.
    /// - Throws: `CurlError` when the transfer fails (connection, TLS, timeouts, a callback abort).
    package func perform(
        _ request: CurlRequest, receive: @escaping (Int, HTTPHeaders, UnsafeRawBufferPointer) -> Bool,
        send: ((UnsafeMutableRawBufferPointer) -> Int?)? = nil
    ) throws(CurlError) -> Response {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let transfer = Transfer(receive: receive, send: send)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        // "Name:" removes a header curl would add; a SigV4-signed request may not have them, since libcurl lists
        // them among the signed headers but sends nothing (the server then computes another signature).
        let suppressed = request.signature == nil ? ["Expect:", "Accept-Encoding:"] : []
        let headers = CurlHeaders(request.headers + suppressed)
        try withExtendedLifetime((transfer, headers)) { () throws(CurlError) in
            try configure(request, headers: headers, context: context)
            try check(curl_easy_perform(handle))
        }
        var status = 0
        try check(ocitool_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return Response(status: status, headers: transfer.headers)
    }

    private func configure(_ request: CurlRequest, headers: CurlHeaders, context: UnsafeMutableRawPointer)
        throws(CurlError)
    {
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_USERAGENT, "ocitool")
        try check(ocitool_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(ocitool_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers.list))
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_BUFFERSIZE, 512 * 1024)
        try set(CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)
        try set(CURLOPT_CONNECTTIMEOUT, request.transport.connectTimeout)
        try set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(CURLOPT_LOW_SPEED_TIME, request.transport.stallTimeout)
        if !request.transport.tlsVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let file = request.transport.caFile { try set(CURLOPT_CAINFO, file) }
        if let bundle = request.tls.caBundle {
            // CURL_BLOB_COPY: libcurl keeps its own copy, so the bytes need only live for the call.
            let code = bundle.withUnsafeBytes { bytes in
                var blob = curl_blob(
                    data: UnsafeMutableRawPointer(mutating: bytes.baseAddress), len: bytes.count,
                    flags: UInt32(CURL_BLOB_COPY))
                return ocitool_curl_setopt_ptr(handle, CURLOPT_CAINFO_BLOB, &blob)
            }
            try check(code)
        }
        if let certificate = request.tls.clientCertificate, let key = request.tls.clientKey {
            try set(CURLOPT_SSLCERT, certificate)
            try set(CURLOPT_SSLKEY, key)
        }
        if let signature = request.signature {
            try set(CURLOPT_AWS_SIGV4, "aws:amz:\(signature.region):\(signature.service)")
            try set(CURLOPT_USERNAME, signature.accessKey)
            try set(CURLOPT_PASSWORD, signature.secretKey)
        }
        if request.followRedirects {
            try set(CURLOPT_FOLLOWLOCATION, 1)
            try set(CURLOPT_MAXREDIRS, 10)
        }
        switch (request.method, request.uploadLength) {
        case ("GET", nil): try set(CURLOPT_HTTPGET, 1)
        case ("HEAD", nil): try set(CURLOPT_NOBODY, 1)
        case (let method, nil) where method != "POST" && method != "PUT" && method != "PATCH":
            try set(CURLOPT_CUSTOMREQUEST, method)
        case (let method, let length):
            try set(CURLOPT_UPLOAD, 1)
            try set(CURLOPT_CUSTOMREQUEST, method)
            try check(ocitool_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length ?? 0)))
            try check(ocitool_curl_setopt_callback(handle, CURLOPT_READFUNCTION, readCallback))
            try check(ocitool_curl_setopt_ptr(handle, CURLOPT_READDATA, context))
        }
        try check(ocitool_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback))
        try check(ocitool_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
        try check(ocitool_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback))
        try check(ocitool_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
    }

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ocitool_curl_setopt_long(handle, option, value))
    }

    /// libcurl copies string options (since 7.17), so the pointer need only live for the call.
    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        let code = value.withCString { ocitool_curl_setopt_ptr(handle, option, UnsafeMutableRawPointer(mutating: $0)) }
        try check(code)
    }

    /// Turns a `CURLcode` into a `CurlError` carrying libcurl's message and the error buffer's detail.
    private func check(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let summary = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        throw CurlError(code: Int32(code.rawValue), message: detail.isEmpty ? summary : "\(summary): \(detail)")
    }
}

/// The state one transfer's callbacks share, reached through the `Unmanaged` userdata pointer.
private final class Transfer {
    let receive: (Int, HTTPHeaders, UnsafeRawBufferPointer) -> Bool
    let send: ((UnsafeMutableRawBufferPointer) -> Int?)?
    var status = 0
    var headers = HTTPHeaders()

    init(
        receive: @escaping (Int, HTTPHeaders, UnsafeRawBufferPointer) -> Bool,
        send: ((UnsafeMutableRawBufferPointer) -> Int?)?
    ) {
        self.receive = receive
        self.send = send
    }

    /// One header line (with its CRLF). A status line starts a new response (after a redirect or a
    /// `100 Continue`), so the fields collected so far are dropped.
    func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append(name: name, value: value)
        }
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> Transfer? {
    context.map { Unmanaged<Transfer>.fromOpaque($0).takeUnretainedValue() }
}

private let writeCallback: curl_write_callback = { data, size, count, context in
    guard let transfer = transfer(context) else { return 0 }
    let total = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: total)
    return transfer.receive(transfer.status, transfer.headers, bytes) ? total : 0
}

private let headerCallback: curl_write_callback = { data, size, count, context in
    guard let transfer = transfer(context), let data else { return 0 }
    let total = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: total)
    transfer.header(String(decoding: bytes, as: UTF8.self))
    return total
}

private let readCallback: curl_read_callback = { data, size, count, context in
    guard let transfer = transfer(context), let send = transfer.send, let data else {
        return Int(CURL_READFUNC_ABORT)
    }
    return send(UnsafeMutableRawBufferPointer(start: data, count: size * count)) ?? Int(CURL_READFUNC_ABORT)
}
