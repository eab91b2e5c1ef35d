// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import ObjectStorage

/// Where `s3://` references and `serve --storage` buckets are (the service and the region).
struct S3Flags: ParsableArguments {
    @Option(help: "The S3 service's URL, e.g. http://127.0.0.1:7480 (default: AWS).")
    var s3Endpoint: String?

    @Option(help: "The region S3 requests are signed for (default: AWS_REGION, else us-east-1).")
    var s3Region: String?

    /// What `s3://BUCKET[/PREFIX][/REPO]` names: a repository when one exists there, else the store at that
    /// prefix. Nothing is created.
    /// - Throws: `LayoutError` without credentials or when the bucket cannot be reached.
    func open(_ url: String) throws -> S3Target {
        if url.dropFirst("s3://".count).split(separator: "/").count > 1 {
            do {
                return .repository(try S3Store.repository(url, endpoint: s3Endpoint, region: s3Region, create: false))
            } catch LayoutError.notALayout {}
        }
        let backend = try S3Store.open(
            url, endpoint: s3Endpoint, region: s3Region, stagingDirectory: FileManager.default.temporaryDirectory.path)
        return .store(Store(root: FileManager.default.temporaryDirectory.path, backend: backend))
    }

    /// A repository, or a whole store, in a bucket.
    enum S3Target {
        case repository(OCILayout)
        case store(Store)
    }
}
