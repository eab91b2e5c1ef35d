// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import NIOCore

/// A request context that knows the connection a request came on: blob bodies sent with `sendfile(2)` are written
/// to it directly (`BlobBody`), which the response body writer alone cannot do.
protocol ConnectionRequestContext: RequestContext {
    /// The connection's channel, when the request came on one.
    var channel: (any Channel)? { get }
}

/// The registry's request context: Hummingbird's core storage plus the connection's channel.
struct RegistryRequestContext: ConnectionRequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: (any Channel)?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
