// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout

struct GarbageCollect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove blobs no tag, index or referrer needs.",
        discussion: """
            Marks from every tag (and untagged manifest unless --untagged), through index children and the
            referrers of live manifests; never breaks a multi-platform index. Blobs younger than the grace period
            are spared (in-flight writes). Runs under the layout lock, safe next to concurrent imports and tags.

            A store (a directory of layouts, or s3://BUCKET[/PREFIX] with --s3-endpoint) is collected repository
            by repository, then the blobs no repository holds any more are swept (the store's pool, or the
            bucket's blobs), sparing those younger than the grace period: safe while servers push into it.

            Examples:
              ocitool gc --dry-run ./images/app
              ocitool gc --untagged --grace 0s --format json ./images/app
              ocitool gc --s3-endpoint http://127.0.0.1:7480 s3://registry/prod
            """.reflowed
    )

    @Argument(help: "A layout directory, a store root, or s3://BUCKET[/PREFIX][/REPO].")
    var path: String

    @OptionGroup var s3: S3Flags

    @Flag(help: "Only report what would be removed.")
    var dryRun = false

    @Option(help: "Spare blobs younger than this (e.g. 30m, 1h, 2d, 0s).")
    var grace: String = "1h"

    @Flag(help: "Also remove untagged manifests (digest-only pushes, displaced tags) and what only they need.")
    var untagged = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let seconds = try parseDuration(grace)
        let options = GCOptions(dryRun: dryRun, grace: seconds, untagged: untagged)
        let report =
            switch try MaintenanceTarget(path, s3: s3) {
            case .layout(let layout): try layout.collectGarbage(options)
            case .store(let store): try store.collectGarbage(options)
            }
        if output.json { return try Console.json(report) }
        let verb = dryRun ? "would remove" : "removed"
        for blob in report.removedBlobs { Console.write("\(verb) \(blob.digest)  \(formatBytes(blob.size))\n") }
        for entry in report.droppedEntries { Console.write("\(verb) index entry \(entry.digest)\n") }
        Console.write(
            "\(verb) \(counted(report.removedBlobs.count, "blob")), \(formatBytes(report.bytesFreed))"
                + (report.sparedYoung.isEmpty ? "" : "; spared \(counted(report.sparedYoung.count, "blob")) younger than \(grace)")
                + "\n")
    }
}

/// Parses a duration flag (`90s`, `30m`, `1h`, `2d`, `1h30m`, or plain seconds) with the parser the serve
/// configuration file uses, so flags and YAML accept the same forms.
func parseDuration(_ text: String) throws(LayoutError) -> Double {
    guard let duration = DurationText.parse(text) else {
        throw .invalidArgument("invalid duration '\(text)': use e.g. 90s, 30m, 1h or 2d")
    }
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Verify a layout: every blob's digest and size, every reference, every tag.",
        discussion: """
            Exits 0 when clean and 4 when problems were found. Temporary files left by an interrupted write are
            not problems; --repair removes them, removes corrupt blobs, drops index entries whose manifest is
            gone and restores referrer annotations.

            A store (a directory of layouts, or s3://BUCKET[/PREFIX] with --s3-endpoint) is checked repository
            by repository; each problem names its repository.

            Examples:
              ocitool fsck ./images/app
              ocitool fsck --repair --format json ./images/app
              ocitool fsck --s3-endpoint http://127.0.0.1:7480 s3://registry/prod
            """.reflowed
    )

    @Argument(help: "A layout directory, a store root, or s3://BUCKET[/PREFIX][/REPO].")
    var path: String

    @OptionGroup var s3: S3Flags

    @Flag(help: "Fix what can be fixed safely.")
    var repair = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let report =
            switch try MaintenanceTarget(path, s3: s3) {
            case .layout(let layout): try layout.check(repair: repair)
            case .store(let store): try store.check(repair: repair)
            }
        if output.json {
            try Console.json(report)
        } else {
            for action in report.repaired { Console.write("repaired: \(action)\n") }
            for problem in report.problems { Console.write("\(problem.kind.rawValue): \(problem.message)\n") }
            Console.write(
                "\(report.isClean ? "clean" : counted(report.problems.count, "problem")): "
                    + "\(counted(report.blobsChecked, "blob")) (\(formatBytes(report.bytesChecked))), "
                    + "\(counted(report.manifestsChecked, "manifest")) checked"
                    + (report.temporaryFiles.isEmpty ? "" : ", \(counted(report.temporaryFiles.count, "temporary file"))")
                    + "\n")
        }
        if !report.isClean { throw ExitCode(4) }
    }
}

/// What gc and fsck work on: one layout (a directory, or a repository in a bucket) or a whole store.
enum MaintenanceTarget {
    case layout(OCILayout)
    case store(Store)

    /// A layout directory, a directory of layouts, or an `s3://` URL.
    init(_ path: String, s3: S3Flags) throws {
        if path.hasPrefix("s3://") {
            switch try s3.open(path) {
            case .repository(let layout): self = .layout(layout)
            case .store(let store): self = .store(store)
            }
        } else if let layout = try? OCILayout(at: path) {
            self = .layout(layout)
        } else if FileSystem.isDirectory(path), FileSystem.exists(path + "/.ocitool") || !Store(root: path).repositories().isEmpty {
            self = .store(Store(root: path))
        } else {
            _ = try OCILayout(at: path)  // the layout's own error: missing, or not a layout
            throw LayoutError.notALayout(path)
        }
    }
}
