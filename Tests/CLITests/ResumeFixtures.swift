// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc
import Layout

/// What the kill-and-rerun tests (`ResumeCLITests`) build and do.
enum ResumeFixtures {
    /// A layout at `path` holding one image tagged `tag` with a random uncompressed layer of `size` bytes,
    /// streamed to disk.
    /// - Returns: the layer's digest.
    @discardableResult
    static func makeLayout(at path: String, tag: String, layerSize size: Int64) throws -> Digest {
        let layout = try OCILayout.create(at: path)
        let writer = try BlobWriter(layout: layout)
        var words = [UInt64](repeating: 0, count: 1 << 17)
        var written: Int64 = 0
        while written < size {
            for index in words.indices { words[index] = UInt64.random(in: .min ... .max) }
            let count = Int(min(Int64(words.count * 8), size - written))
            try writer.write(words.withUnsafeBytes { Data($0.prefix(count)) })
            written += Int64(count)
        }
        let layer = try writer.finish()
        try layer.commit()
        let config = Data(
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layer.digest)"]}}"#.utf8)
        let configDigest = try layout.writeBlob(config).digest
        let manifest = Data(
            """
            {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)",\
            "config":{"mediaType":"\(MediaType.ociConfig)","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"\(MediaType.ociLayer)","digest":"\(layer.digest)","size":\(size)}]}
            """.utf8)
        try layout.putManifest(manifest, mediaType: .ociManifest, tag: tag)
        return layer.digest
    }

    /// Runs `ocitool` with `arguments(attempt)` and kills it (SIGKILL) as soon as `progress()` reaches
    /// `target`; tries again with the next attempt number when a run ends before that, up to five times.
    /// - Returns: the attempt that was killed mid-transfer, or nil.
    static func killMidway(
        _ arguments: (Int) -> [String], target: Int64, progress: () -> Int64
    ) throws -> Int? {
        for attempt in 0..<5 {
            let (process, output, error) = try CLIRunner.start(arguments(attempt))
            var killed = false
            while process.isRunning {
                if progress() >= target {
                    kill(process.processIdentifier, SIGKILL)
                    killed = true
                    break
                }
                usleep(500)
            }
            _ = CLIRunner.waitAll([(process, output, error)])
            if killed, process.terminationReason == .uncaughtSignal { return attempt }
        }
        return nil
    }

    /// Total size of the regular files under `directory`.
    static func bytes(under directory: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total: Int64 = 0
        while walker.nextObject() != nil {
            let attributes = walker.fileAttributes
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return total
    }
}
