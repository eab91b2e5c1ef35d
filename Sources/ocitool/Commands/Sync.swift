// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Layout
import Sync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Mirror the tags of repositories between registries and layouts, copying only what changed.",
        discussion: """
            Lists the source repository's tags, keeps those the filters select, and for each one looks the tag
            up at the destination: a tag already holding the same digest, with every referrer (signatures,
            SBOMs, recursively; of an index's images too), is skipped at the cost of lookups; the others are
            copied digest for digest, with their referrers, blobs the destination has skipped and the tag set
            last.

            Filters apply in order: --tag-regex (keep tags matching any; anywhere in the tag, anchor with ^$),
            --exclude-regex (drop tags matching any), --semver RANGE (npm ranges: '>=1.2 <2', '^1.4', '~2.0',
            '1.x'; tags read as versions with an optional leading v, and pre-releases only when the range names
            one), --latest N (the N highest: by version when every tag is one, else by name).

            SOURCE and DESTINATION are repositories: docker://HOST[:PORT]/REPO, or a layout directory (its
            tags). The registry options apply to both sides, the --src-*/--dest-* ones to one side; for more,
            use --config FILE (YAML):

              source: {registry: registry.example.com, credentials: "reader:pw"}
              destination: {registry: 127.0.0.1:5000, plainHTTP: true}
              repositories:
                - name: team/app
                  destination: mirror/{name}
                  tags: {allow: ['^v?[0-9.]+$'], deny: ['-rc'], semver: '^1.2', latest: 3}
                  platforms: [linux/amd64]      # or all: true
                  referrers: true
                  artifactTypes: [application/spdx+json]

            A side is a registry or a layout ({layout: /srv/mirror}); `noCreds: true` makes a registry side
            anonymous, `authfile: FILE` reads its credentials from that file.

            Without --keep-going the first failure stops the sync (exit code of that failure); with it every
            other tag is still synced and the exit code is 1 when anything failed. --dry-run prints the plan and
            writes nothing. --report FILE writes the JSON report (what --format json prints) whatever happens.

            --require-signature KEY[,KEY] syncs only signed images: each tag copied must have a valid signature
            by one of the keys naming its source repository (or --signature-identity REPO); a refused tag is a
            failure that says why, and nothing of it is copied. cosign's sha256-<hex>.sig/.att tags then travel
            with their image instead of being synced as tags of their own. A dry run checks the signatures too:
            a tag the sync would refuse is listed as failed, with the same reason.

            Examples:
              ocitool sync --plain-http docker://127.0.0.1:5000/app \\
                  docker://127.0.0.1:5001/app
              ocitool sync --semver '>=1.2 <2' --latest 3 \\
                  docker://registry.example.com/team/app ./mirror/app
              ocitool sync --dry-run --format json --config sync.yaml
              ocitool sync --keep-going --report report.json --config sync.yaml
              ocitool sync --require-signature keys/ --keep-going \\
                  docker://staging.local/app docker://prod.local/app
            """.reflowed
    )

    @Argument(help: "The source repository: docker://HOST[:PORT]/REPO or a layout directory.")
    var source: String?

    @Argument(help: "The destination repository: docker://HOST[:PORT]/REPO or a layout directory.")
    var destination: String?

    @Option(help: "A YAML file listing repositories to sync (instead of SOURCE DESTINATION).")
    var config: String?

    @Option(help: "Sync tags matching this regular expression (repeatable; any may match).")
    var tagRegex: [String] = []

    @Option(help: "Skip tags matching this regular expression (repeatable).")
    var excludeRegex: [String] = []

    @Option(help: "Sync tags that are versions in this range ('>=1.2 <2', '^1.4', '1.x').")
    var semver: String?

    @Option(help: "Sync only the N highest tags left by the other filters.")
    var latest: Int?

    @Flag(help: "Copy every platform of an index.")
    var all = false

    @Option(help: "Copy only these platforms of an index (os/arch[/variant]; repeatable).")
    var platform: [String] = []

    @Flag(help: "Do not copy referrers (and do not compare them).")
    var noReferrers = false

    @Option(help: "Copy only referrers of this artifact type (repeatable).")
    var artifactType: [String] = []

    @Flag(help: "Print the plan; copy nothing.")
    var dryRun = false

    @Flag(help: "Carry on past failures (exit 1 at the end if any).")
    var keepGoing = false

    @Option(help: "Write the JSON report to this file.")
    var report: String?

    @Option(help: "How many blobs move at once.")
    var jobs = 4

    @OptionGroup(title: "Registry options") var registry: RegistryFlags

    @OptionGroup(title: "Per-side registry options (override the above for one side)") var sides: SideRegistryFlags

    @OptionGroup(title: "Push options") var upload: UploadFlags

    @OptionGroup(title: "Promotion gate") var trust: SignatureGateFlags

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if config != nil {
            guard source == nil, destination == nil else {
                throw ValidationError("give --config FILE or SOURCE DESTINATION, not both")
            }
            let flags = [
                ("--tag-regex", !tagRegex.isEmpty), ("--exclude-regex", !excludeRegex.isEmpty), ("--semver", semver != nil),
                ("--latest", latest != nil), ("--all", all), ("--platform", !platform.isEmpty),
                ("--no-referrers", noReferrers), ("--artifact-type", !artifactType.isEmpty),
            ]
            if let (flag, _) = flags.first(where: { $0.1 }) {
                throw ValidationError("\(flag) applies to SOURCE DESTINATION; with --config, set it per repository in the file")
            }
            if let flag = sides.firstGiven {
                throw ValidationError("\(flag) applies to SOURCE DESTINATION; with --config, set it under source or destination in the file")
            }
        } else {
            guard source != nil, destination != nil else {
                throw ValidationError("give SOURCE and DESTINATION repositories, or --config FILE")
            }
        }
        if let latest, latest < 1 { throw ValidationError("--latest must be at least 1") }
        if all, !platform.isEmpty { throw ValidationError("--all copies every platform; drop --platform or --all") }
    }

    func run() throws {
        let progress = ProgressBar("syncing")
        let work = try makeJobs(progress: progress.increments)
        let text = !output.json
        let dryRun = self.dryRun
        let runner = SyncRunner(
            jobs: jobs, dryRun: dryRun, keepGoing: keepGoing,
            onResult: { entry in
                progress.finish()
                if text, !dryRun { Console.write(SyncCommand.line(entry) + "\n") }
            })
        let result = runner.run(work)
        progress.finish()
        if let report {
            do { try Data(Console.jsonText(result).utf8).write(to: URL(fileURLWithPath: report), options: .atomic) } catch {
                let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error ?? error) as NSError
                let code = underlying.domain == NSPOSIXErrorDomain ? Int32(underlying.code) : EIO
                throw LayoutError.io("write the report", path: report, errno: code)
            }
        }
        if output.json {
            try Console.json(result)
        } else {
            if dryRun { SyncCommand.plan(result) }
            Console.write(SyncCommand.summary(result) + "\n")
        }
        guard let failure = result.firstFailure else { return }
        if keepGoing {
            Console.error("\(result.failed) of \(result.results.count) failed (see above\(report.map { " and \($0)" } ?? ""))")
            throw ExitCode(1)
        }
        let failureReport = ErrorReport(failure)
        failureReport.print()
        throw ExitCode(failureReport.exitCode)
    }

    private func makeJobs(progress: (@Sendable (Int64) -> Void)?) throws -> [SyncJob] {
        var jobs = try unguardedJobs(progress: progress)
        for position in jobs.indices { jobs[position].copy.gate = try trust.gate(for: jobs[position].source) }
        return jobs
    }

    private func unguardedJobs(progress: (@Sendable (Int64) -> Void)?) throws -> [SyncJob] {
        if let config {
            return try SyncConfig.jobs(fromFile: config, defaults: upload.applied(to: try registry.options()), progress: progress)
        }
        guard let source, let destination else { return [] }
        let copy = CopyOptions(
            all: all, platforms: try platform.map { (text) throws(LayoutError) in try Platform(parsing: text) },
            referrers: !noReferrers, artifactTypes: artifactType.map(MediaType.init(rawValue:)), progress: progress)
        let filter = try TagFilter(allow: tagRegex, deny: excludeRegex, semver: semver, latest: latest)
        return [
            try SyncJob(
                source: try ImageReference(parsing: source), destination: try ImageReference(parsing: destination),
                sourceRegistry: try sides.source(registry), destinationRegistry: upload.applied(to: try sides.destination(registry)),
                filter: filter, copy: copy)
        ]
    }

    /// `copied docker://a/team/app:1.0 -> docker://b/team/app (new): 3 blobs, 1.2 MiB, 2 referrers in 0.3 s`.
    static func line(_ entry: SyncReport.Entry) -> String {
        let name = entry.source + (entry.tag.map { ":\($0)" } ?? "")
        switch entry.status {
        case .skipped: return "skipped \(name): up to date"
        case .failed: return "failed  \(name): \(entry.error ?? "unknown error")"
        case .planned: return "planned \(name) -> \(entry.destination) (\(entry.reason?.rawValue ?? "new"))"
        case .copied:
            return "copied  \(name) -> \(entry.destination) (\(entry.reason?.rawValue ?? "new")): "
                + "\(counted(entry.blobsCopied, "blob")), \(formatBytes(entry.bytesCopied)), "
                + "\(counted(entry.referrersCopied, "referrer")) in "
                + String(format: "%.1f s", entry.seconds)
        }
    }

    /// The dry run's table.
    static func plan(_ report: SyncReport) {
        let rows = report.results.map { entry -> [String] in
            let action: String
            switch entry.status {
            case .planned: action = "copy (\(entry.reason?.rawValue ?? "new"))"
            case .skipped: action = "skip (up to date)"
            case .failed: action = "fail: \(entry.error ?? "")"
            case .copied: action = "copied"
            }
            return [entry.source, entry.tag ?? "-", entry.digest.map { String($0.encoded.prefix(12)) } ?? "-", entry.destination, action]
        }
        Console.table(["SOURCE", "TAG", "DIGEST", "DESTINATION", "ACTION"], rows)
    }

    static func summary(_ report: SyncReport) -> String {
        let time = String(format: "%.2f s", report.seconds)
        if report.dryRun {
            return "dry run: \(report.planned) to copy, \(report.skipped) up to date, \(report.failed) failed (\(time))"
        }
        var text = "synced \(counted(report.results.count, "tag")): \(report.copied) copied, \(report.skipped) skipped, "
            + "\(report.failed) failed; \(formatBytes(report.bytes)) in \(time)"
        if report.stopped { text += " (stopped at the first failure; --keep-going carries on)" }
        return text
    }
}
