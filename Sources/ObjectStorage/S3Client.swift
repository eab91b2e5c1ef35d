// SPDX-License-Identifier: Apache-2.0
package import CurlTransport
package import Foundation
package import Layout

/// A blocking S3 client for one bucket (path-style, AWS Signature V4 through libcurl), safe to use from many
/// threads: each request borrows a pooled curl handle. Every request carries `x-amz-content-sha256` (the
/// payload's SHA-256: for a blob upload that is its digest), so uploads are fully signed and the server itself
/// refuses bytes that do not hash to it.
///
/// Failures are `LayoutError.io` naming the operation, the object and the server's status and code
/// (`ECONNREFUSED` when the endpoint cannot be reached, `EACCES` for refused credentials, `EAGAIN` for a busy
/// server or a transfer cut short, `EIO` otherwise), so that callers treat the bucket like a disk.
package final class S3Client: Sendable {
    package let location: S3Location
    let credentials: S3Credentials
    let transport: TransportOptions
    private let tls: TLSMaterial
    private let handles = CurlHandlePool()

    /// SHA-256 of the empty payload.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    package init(location: S3Location, credentials: S3Credentials, transport: TransportOptions = TransportOptions()) {
        self.location = location
        self.credentials = credentials
        self.transport = transport
        self.tls = TLSMaterial(transport)
    }

    /// An object's size and ETag (unquoted: RGW compares `If-Match` only against the bare value).
    package struct ObjectInfo: Sendable, Hashable {
        package let size: Int64
        package let etag: String
        /// `Last-Modified`: when it was written or last refreshed (`touch`); nil when the server did not say.
        package var lastModified: Date? = nil
    }

    /// The precondition of a write.
    package enum Condition: Sendable, Hashable {
        /// Unconditional.
        case none
        /// Only when no object has the key (`If-None-Match: *`).
        case absent
        /// Only when the object still has this ETag (`If-Match`).
        case matching(String)
    }

    /// What a write did.
    package enum WriteOutcome: Sendable, Hashable {
        /// Stored, with the new ETag.
        case stored(etag: String)
        /// Refused by its precondition (412): another writer got there first.
        case preconditionFailed
    }

    // MARK: Bucket

    /// Creates the bucket; succeeds when it exists already and is ours.
    package func createBucket() throws(LayoutError) {
        let response = try send("PUT", key: "", body: .bytes(Data()))
        let text = String(decoding: response.body, as: UTF8.self)[...]
        if response.status == 409, S3XML.value("Code", in: text) == "BucketAlreadyOwnedByYou" { return }
        try expect(response, [200], "CREATE BUCKET", "")
    }

    // MARK: Objects

    /// The object's size and ETag, or nil when there is none.
    package func head(_ key: String) throws(LayoutError) -> ObjectInfo? {
        let response = try send("HEAD", key: key)
        if response.status == 404 { return nil }
        try expect(response, [200], "HEAD", key)
        return try info(response, key)
    }

    /// Streams an object (or `range` of it) to `receive`.
    /// - Parameters:
    ///   - ifMatch: read only this version; nil: whatever is current.
    /// - Returns: nil when there is no object (404) or it is no longer at `ifMatch` (412).
    ///   - receive: takes each piece of the body; false aborts the transfer (which then throws).
    package func get(
        _ key: String, range: Range<Int64>? = nil, ifMatch: String? = nil,
        receive: @escaping (UnsafeRawBufferPointer) -> Bool
    ) throws(LayoutError) -> ObjectInfo? {
        var headers: [String] = []
        if let range { headers.append("Range: bytes=\(range.lowerBound)-\(range.upperBound - 1)") }
        if let ifMatch { headers.append("If-Match: \(ifMatch)") }
        let response = try send("GET", key: key, headers: headers, sink: .stream(receive))
        if response.status == 404 || response.status == 412 { return nil }
        try expect(response, [200, 206], "GET", key)
        return try info(response, key)
    }

    /// Refreshes an object's `Last-Modified` without moving its bytes (a copy onto itself, metadata replaced),
    /// so that a sweep by age spares an object a writer has just reused.
    /// - Returns: false when there is no such object.
    package func touch(_ key: String) throws(LayoutError) -> Bool {
        let response = try send(
            "PUT", key: key, headers: ["x-amz-copy-source: \(copySource(key))", "x-amz-metadata-directive: REPLACE"],
            body: .bytes(Data()))
        if response.status == 404 { return false }
        try expect(response, [200], "COPY", key)
        return true
    }

    /// A whole small object in memory, with its ETag.
    /// - Returns: nil when there is none.
    /// - Throws: `LayoutError.tooLarge` past `limit`.
    package func getData(_ key: String, limit: Int) throws(LayoutError) -> (data: Data, etag: String)? {
        let response = try send("GET", key: key, sink: .collect(limit: limit))
        if response.status == 404 { return nil }
        try expect(response, [200], "GET", key)
        if response.truncated {
            throw .tooLarge(objectName(key), size: Int64(response.body.count), limit: limit)
        }
        return (response.body, try info(response, key).etag)
    }

    /// Writes a small object from memory, retrying the server's 500/503 (four attempts, backing off with
    /// jitter). radosgw answers 500 to one of two conditional writes racing on one key; a retry after a write
    /// that did happen gets 412, which a compare-and-swap caller resolves by reading again.
    package func put(_ key: String, data: Data, condition: Condition = .none, contentType: String? = nil)
        throws(LayoutError) -> WriteOutcome
    {
        let payloadHash = Digest.sha256(of: data).encoded
        var attempt = 0
        while true {
            attempt += 1
            do throws(LayoutError) {
                return try write(
                    key, body: .bytes(data), payloadHash: payloadHash, condition: condition, contentType: contentType)
            } catch {
                guard attempt < 4, case .io(_, _, let code) = error, code == EAGAIN else { throw error }
                Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.1) * Double(attempt))
            }
        }
    }

    /// Writes an object from memory whose SHA-256 (hex) is `payloadHash`; `bytes` must stay valid during the call.
    package func put(_ key: String, bytes: UnsafeRawBufferPointer, payloadHash: String, condition: Condition)
        throws(LayoutError) -> WriteOutcome
    {
        try write(key, body: .memory(bytes), payloadHash: payloadHash, condition: condition, contentType: nil)
    }

    /// Writes an object of `length` bytes pulled from `stream` as the request goes (its producer on another
    /// thread), which must hash to `payloadHash` (hex SHA-256). A stream that fails or ends short aborts the
    /// request: nothing is stored.
    package func put(
        _ key: String, stream: some BlobStream, length: Int64, payloadHash: String, condition: Condition
    ) throws(LayoutError) -> WriteOutcome {
        let body = Body(length: length) { (buffer) in try? stream.read(into: buffer) }
        return try write(key, body: body, payloadHash: payloadHash, condition: condition, contentType: nil)
    }

    /// Writes an object streamed from a file, which must hash to `payloadHash` (hex SHA-256).
    package func put(_ key: String, file: FileDescriptor, size: Int64, payloadHash: String, condition: Condition)
        throws(LayoutError) -> WriteOutcome
    {
        let source = FileRegion(file: file, offset: 0, length: size)
        do throws(LayoutError) {
            return try write(key, body: source.body, payloadHash: payloadHash, condition: condition, contentType: nil)
        } catch {
            throw source.failure ?? error
        }
    }

    /// Deletes an object; succeeds when it is already gone.
    package func delete(_ key: String) throws(LayoutError) {
        let response = try send("DELETE", key: key)
        try expect(response, [200, 204, 404], "DELETE", key)
    }

    /// One object of a listing.
    package struct ListedObject: Sendable, Hashable {
        package let key: String
        package let size: Int64
        /// `LastModified` as the server wrote it (ISO 8601).
        package let lastModified: String
    }

    /// Every object whose key starts with `prefix` (all pages of ListObjectsV2), in key order; with `limit`, at
    /// most that many (the first page only).
    package func list(prefix: String, limit: Int? = nil) throws(LayoutError) -> [ListedObject] {
        var objects: [ListedObject] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let limit { query.append(("max-keys", String(limit))) }
            if let token { query.append(("continuation-token", token)) }
            let response = try send("GET", key: "", query: S3Location.query(query), sink: .collect(limit: 16 << 20))
            try expect(response, [200], "LIST", prefix)
            let text = String(decoding: response.body, as: UTF8.self)[...]
            for entry in S3XML.elements("Contents", in: text) {
                guard let key = S3XML.value("Key", in: entry) else { continue }
                objects.append(
                    ListedObject(
                        key: key, size: Int64(S3XML.value("Size", in: entry) ?? "") ?? 0,
                        lastModified: S3XML.value("LastModified", in: entry) ?? ""))
            }
            token = S3XML.value("IsTruncated", in: text) == "true" ? S3XML.value("NextContinuationToken", in: text) : nil
        } while token != nil && limit == nil
        return objects
    }

    // MARK: Exchange

    /// A request body: its length and a function filling buffers (nil aborts).
    struct Body {
        let length: Int64
        let fill: (UnsafeMutableRawBufferPointer) -> Int?

        /// A body sent from memory.
        static func bytes(_ data: Data) -> Body {
            var offset = 0
            return Body(length: Int64(data.count)) { (buffer) in
                let count = min(buffer.count, data.count - offset)
                data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<offset + count)
                offset += count
                return count
            }
        }

        /// A body sent from memory that stays valid while the request runs (no copy but curl's own).
        static func memory(_ bytes: UnsafeRawBufferPointer) -> Body {
            var offset = 0
            return Body(length: Int64(bytes.count)) { (buffer) in
                let count = min(buffer.count, bytes.count - offset)
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
                offset += count
                return count
            }
        }
    }

    /// A request body read from a region of a file; a read failure is kept, to be thrown instead of the abort
    /// curl reports for it.
    final class FileRegion {
        private let file: FileDescriptor
        private var offset: Int64
        private let end: Int64
        private(set) var failure: LayoutError?
        let length: Int64

        init(file: FileDescriptor, offset: Int64, length: Int64) {
            self.file = file
            self.offset = offset
            self.end = offset + length
            self.length = length
        }

        var body: Body {
            Body(length: length) { (buffer) in
                do throws(LayoutError) {
                    let wanted = Int(min(Int64(buffer.count), self.end - self.offset))
                    guard wanted > 0 else { return 0 }
                    let count = try self.file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: self.offset)
                    self.offset += Int64(count)
                    return count
                } catch {
                    self.failure = error
                    return nil
                }
            }
        }
    }

    /// What to do with a response body.
    enum Sink {
        /// Keep up to `limit` bytes (error documents are kept this way too).
        case collect(limit: Int)
        /// Hand a successful response's body over as it arrives (false aborts).
        case stream((UnsafeRawBufferPointer) -> Bool)
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var truncated: Bool
    }

    func write(_ key: String, body: Body, payloadHash: String, condition: Condition, contentType: String?)
        throws(LayoutError) -> WriteOutcome
    {
        var headers: [String] = []
        switch condition {
        case .none: break
        case .absent: headers.append("If-None-Match: *")
        case .matching(let etag): headers.append("If-Match: \(etag)")
        }
        if let contentType { headers.append("Content-Type: \(contentType)") }
        let response = try send("PUT", key: key, headers: headers, body: body, payloadHash: payloadHash)
        if response.status == 412 { return .preconditionFailed }
        try expect(response, [200], "PUT", key)
        return .stored(etag: Self.unquoted(response.headers["ETag"] ?? ""))
    }

    /// Sends one request, retrying transfers cut short and the server's 500/503 (three attempts, backing off)
    /// when the body can be sent again (only bodiless requests are retried here) and no response body was handed
    /// over yet (a streamed one is never retried after a cut).
    func send(
        _ method: String, key: String, query: String = "", headers: [String] = [], body: Body? = nil,
        payloadHash: String = S3Client.emptyPayloadHash, sink: Sink = .collect(limit: 1 << 20)
    ) throws(LayoutError) -> Response {
        // A streamed body may have been handed over in part before a transfer broke: not sent again.
        var streamed = false
        if case .stream = sink { streamed = true }
        var attempt = 0
        while true {
            attempt += 1
            do throws(LayoutError) {
                let response = try sendOnce(
                    method, key: key, query: query, headers: headers, body: body, payloadHash: payloadHash, sink: sink)
                if body == nil, [500, 503].contains(response.status), attempt < 3 {
                    Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
                    continue
                }
                return response
            } catch {
                guard body == nil, !streamed, attempt < 3, case .io(_, _, let code) = error, code == EAGAIN else {
                    throw error
                }
                Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
            }
        }
    }

    private func sendOnce(
        _ method: String, key: String, query: String, headers: [String], body: Body?, payloadHash: String, sink: Sink
    ) throws(LayoutError) -> Response {
        let url = location.url(key: key, query: query)
        var lines = headers + ["x-amz-content-sha256: \(payloadHash)"]
        if let token = credentials.sessionToken { lines.append("x-amz-security-token: \(token)") }
        let request = CurlRequest(
            method: method, url: url, headers: lines, uploadLength: body?.length, transport: transport, tls: tls,
            signature: AWSSignature(
                accessKey: credentials.accessKey, secretKey: credentials.secretKey, region: location.region))
        var collected = Data()
        var truncated = false
        let receive: (Int, HTTPHeaders, UnsafeRawBufferPointer) -> Bool = { (status, _, bytes) in
            if case .stream(let deliver) = sink, (200..<300).contains(status) { return deliver(bytes) }
            let limit: Int
            if case .collect(let size) = sink { limit = size } else { limit = 64 << 10 }
            let room = max(0, limit - collected.count)
            collected.append(contentsOf: bytes.prefix(room))
            if bytes.count > room { truncated = true }
            return true
        }
        let head: CurlEasy.Response
        do throws(CurlError) {
            head = try handles.withHandle({ (easy) throws(CurlError) -> CurlEasy.Response in
                try easy.perform(request, receive: receive, send: body?.fill)
            }, failure: { $0 })
        } catch {
            let code = error.isUnreachable ? ECONNREFUSED : error.isTransient ? EAGAIN : EIO
            throw .io(method, path: "\(objectName(key)) at \(location.endpoint) (\(error))", errno: code)
        }
        return Response(status: head.status, headers: head.headers, body: collected, truncated: truncated)
    }

    /// Checks the status, turning anything else into an error with S3's own code and message.
    func expect(_ response: Response, _ statuses: Set<Int>, _ operation: String, _ key: String)
        throws(LayoutError)
    {
        guard !statuses.contains(response.status) else { return }
        let text = String(decoding: response.body, as: UTF8.self)[...]
        var detail = "\(response.status)"
        if let code = S3XML.value("Code", in: text) { detail += " \(code)" }
        if let message = S3XML.value("Message", in: text), !message.isEmpty { detail += ": \(message)" }
        let errno: Int32 =
            [401, 403].contains(response.status) ? EACCES : [500, 503].contains(response.status) ? EAGAIN : EIO
        throw .io(operation, path: "\(objectName(key)) (\(detail))", errno: errno)
    }

    /// HTTP dates (`Last-Modified`: RFC 7231's IMF-fixdate).
    static let httpDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }()

    /// ListObjectsV2's `LastModified` (ISO 8601, with or without fractional seconds).
    static func listingDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `s3://BUCKET/KEY`, for messages.
    func objectName(_ key: String) -> String { "s3://\(location.bucket)/\(key)" }

    private func info(_ response: Response, _ key: String) throws(LayoutError) -> ObjectInfo {
        let size = response.headers["Content-Range"].flatMap { $0.split(separator: "/").last.flatMap { Int64($0) } }
            ?? response.headers["Content-Length"].flatMap { Int64($0) }
        guard let size, let etag = response.headers["ETag"] else {
            throw .io("read the size and ETag of", path: objectName(key), errno: EIO)
        }
        let modified = response.headers["Last-Modified"].flatMap { S3Client.httpDate.date(from: $0) }
        return ObjectInfo(size: size, etag: Self.unquoted(etag), lastModified: modified)
    }

    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}
