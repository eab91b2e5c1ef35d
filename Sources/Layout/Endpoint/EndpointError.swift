// SPDX-License-Identifier: Apache-2.0

/// What the copy engine needs to know of an endpoint's error, whichever module threw it.
public protocol EndpointError: Error {
    /// Whether the error says that the thing asked for (a manifest, a blob) does not exist there.
    var isNotFound: Bool { get }
}

extension LayoutError: EndpointError {}

extension Error {
    /// Whether this is an endpoint's "does not exist" error.
    package var isEndpointNotFound: Bool { (self as? any EndpointError)?.isNotFound ?? false }
}
