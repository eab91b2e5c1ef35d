// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Hummingbird
import Layout
import Logging

/// The one place where errors become /v2 responses: `OCIError` as is, `LayoutError` and `UploadError` through
/// their codes, anything else as 500 with a generic message (the details go to the log). Every response also
/// gets `Docker-Distribution-API-Version: registry/2.0`.
struct OCIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try OCIErrorMiddleware.ociError(for: error, request: request, logger: context.logger)
                .response(from: request, context: context)
        }
        response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
        return response
    }

    /// The OCI error for any error a handler threw.
    static func ociError(for error: any Error, request: Request, logger: Logger) -> OCIError {
        let mapped: OCIError?
        switch error {
        case let error as OCIError: mapped = error
        case let error as LayoutError: mapped = OCIError(error)
        case let error as UploadError: mapped = OCIError(error)
        case let error as MalformedRequest: mapped = OCIError(error)
        case let error as any HTTPResponseError where error.status.code < 500:
            // The router's own answers (no route for a method): same status, OCI envelope.
            mapped = OCIError(
                .unsupported, "\(request.method.rawValue) \(request.uri.path): \(error.status.reasonPhrase)",
                status: error.status)
        default: mapped = nil
        }
        if let mapped { return mapped }
        logger.error(
            "request failed",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
        return .internalError
    }
}
