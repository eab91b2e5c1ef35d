// SPDX-License-Identifier: Apache-2.0
import Foundation
package import Layout

/// Server-side copies: an object's bytes copied to another key of the bucket without passing through this
/// machine (radosgw shares the stored data, so a copy costs about the same whatever the size).
///
/// No copy conditions and no ranged part copies: libcurl 7.88 orders the headers it signs by `name:value`, so
/// `x-amz-copy-source` sorts after `x-amz-copy-source-if-match` or `-range`, and the server refuses the
/// signature. Callers make sure the source cannot change instead, and copy objects past S3's 5 GiB copy limit
/// through this machine (`S3UploadSession`).
extension S3Client {
    /// The largest object one CopyObject may copy (S3's limit).
    static let copyLimit: Int64 = 5 << 30

    /// Copies object `source` to `key` with one CopyObject.
    /// - Throws: I/O errors, with the server's code.
    package func copy(_ source: String, to key: String) throws(LayoutError) {
        let response = try send(
            "PUT", key: key, headers: ["x-amz-copy-source: \(copySource(source))"], body: .bytes(Data()))
        try expect(response, [200], "COPY", key)
        // S3 may report a failure in a 200 response's body.
        let text = String(decoding: response.body, as: UTF8.self)[...]
        if let code = S3XML.value("Code", in: text), !S3XML.elements("Error", in: text).isEmpty {
            throw .io("COPY", path: "\(objectName(key)) (\(code))", errno: EIO)
        }
    }

    /// `/BUCKET/KEY`, encoded, as `x-amz-copy-source` names an object.
    func copySource(_ key: String) -> String { "/\(location.bucket)/\(S3Location.encodePath(key))" }
}
