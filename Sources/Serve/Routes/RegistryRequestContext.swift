// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// The request context of the registry: Hummingbird's core context, the connection's channel (the client's
/// address; blob bodies sent with `sendfile(2)` are written to it directly, see `BlobBody`), and what the
/// middlewares learn about the request for the access log (the user).
struct RegistryRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's channel, when the request came on one.
    let channel: (any Channel)?
    /// Shared by every middleware handling this request (the context itself is passed by value).
    let state = RequestState()

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }

    /// The peer's address (nil in router tests).
    var remoteAddress: SocketAddress? { channel?.remoteAddress }

    /// The client's address without the port: the key of the per-client limits, and what the log shows.
    var client: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// What the middlewares learn about a request: who made it, and which repositories it may list.
final class RequestState: Sendable {
    private let box = NIOLockedValueBox(Values())

    struct Values {
        var user: String?
        var visible: (@Sendable (String) -> Bool)?
    }

    /// The authenticated user, if any.
    var user: String? {
        get { box.withLockedValue { $0.user } }
        set { box.withLockedValue { $0.user = newValue } }
    }

    /// Which repositories the catalog may show this client (nil: all).
    var visible: (@Sendable (String) -> Bool)? {
        get { box.withLockedValue { $0.visible } }
        set { box.withLockedValue { $0.visible = newValue } }
    }
}
