// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import Layout

/// Per-client request rate limit (a token bucket per client address): past it, 429 TOOMANYREQUESTS with
/// `Retry-After` in the OCI envelope. Health checks and `/metrics` are never limited.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    let limiter: ClientLimiter
    let metrics: ServeMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        if path != "/healthz", path != "/readyz", path != "/metrics", let wait = limiter.take(context.client) {
            metrics?.rateLimited(reason: "requests")
            throw OCIError(
                .tooManyRequests, "too many requests from \(context.client); retry later",
                headers: [.retryAfter: wait.retryAfter])
        }
        return try await next(request, context)
    }
}
