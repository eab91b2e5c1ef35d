// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Sync

/// How `copy` and `sync` push blobs to a registry.
struct UploadFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Push blobs of at least BYTES in chunks of BYTES, so an interrupted push resumes after the last chunk the registry kept (default: 64 MiB chunks from 256 MiB).",
            valueName: "BYTES"))
    var uploadChunkSize: Int64?

    mutating func validate() throws {
        if let uploadChunkSize, uploadChunkSize < 1 {
            throw ValidationError("--upload-chunk-size must be at least 1 byte")
        }
    }

    /// `options` with these flags applied (they matter only where blobs are pushed).
    func applied(to options: RegistryOptions) -> RegistryOptions {
        var options = options
        if let uploadChunkSize { options.uploadChunkSize = uploadChunkSize }
        return options
    }
}
