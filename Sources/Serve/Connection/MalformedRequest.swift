// SPDX-License-Identifier: Apache-2.0
import Layout
import NIOHTTP1

/// A request the connection could not read as HTTP/1: what NIO's decoder refused (`HTTPParserError`), or a
/// transfer coding the server does not implement.
///
/// `MalformedRequestHandler` raises it. Between requests it answers it itself (nothing above the decoder reads
/// the connection then); during a request it hands it to the route reading the body, which answers it through
/// `OCIError(_:)` like any other error. Either way the connection closes after that answer: the bytes that
/// follow cannot be framed.
enum MalformedRequest: Error, CustomStringConvertible {
    /// `Transfer-Encoding` names a coding other than `chunked` (the only one the decoder undoes).
    case transferEncoding(String)
    /// The decoder refused the bytes (a bad request line or header, a bad chunk, a body cut short, ...).
    case parser(HTTPParserError)
    /// The decoder read a request head that HTTP's types cannot hold (the description of why).
    case conversion(String)

    /// Whether the request only ended early: its body stopped before the length it announced.
    var isTruncation: Bool {
        if case .parser(.invalidEOFState) = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .transferEncoding(let value): "unsupported Transfer-Encoding '\(value)'"
        case .parser(let error): "HTTP/1 decoder: \(error)"
        case .conversion(let reason): "HTTP/1 request head: \(reason)"
        }
    }

    /// The codings of a `Transfer-Encoding` value that the server does not undo (all but `chunked`), lowercased.
    static func unsupportedCodings(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingWhitespace().lowercased() }.filter { $0 != "chunked" }
    }
}
