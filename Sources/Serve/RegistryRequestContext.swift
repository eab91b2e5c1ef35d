// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import NIOCore

/// The request context of the registry: Hummingbird's core context and the connection's channel (blob bodies
/// sent with `sendfile(2)` are written to it directly, see `BlobBody`).
struct RegistryRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's channel, when the request came on one.
    let channel: (any Channel)?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
