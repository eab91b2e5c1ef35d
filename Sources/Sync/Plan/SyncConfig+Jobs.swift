// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
import YAMLConfig

extension SyncConfig {
    /// Checks the configuration and turns each repository into a `SyncJob`.
    /// - Parameters:
    ///   - defaults: registry options for what an endpoint does not say (the command line's flags).
    ///   - baseDirectory: what relative paths (`layout`, `certDir`, `authfile`) are relative to: the
    ///     configuration file's directory.
    ///   - progress: passed to every job's copy options.
    /// - Throws: `.invalidArgument("FILE:LINE:COLUMN: PLACE: PROBLEM")` for the first problem, e.g.
    ///   `sync.yaml:9:18: repositories[0].tags.allow[1]: invalid regular expression '(': …` (without the location
    ///   for a configuration made in code).
    public func jobs(
        defaults: RegistryOptions = RegistryOptions(), baseDirectory: String? = nil,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) throws(SyncError) -> [SyncJob] {
        do throws(SyncError) {
            return try checkedJobs(defaults: defaults, baseDirectory: baseDirectory, progress: progress)
        } catch {
            guard case .invalidArgument(let message) = error else { throw error }
            throw .invalidArgument(locations.locate(message))
        }
    }

    private func checkedJobs(
        defaults: RegistryOptions, baseDirectory: String?, progress: (@Sendable (Int64) -> Void)?
    ) throws(SyncError) -> [SyncJob] {
        let from = try SyncConfig.resolve(source, "source", defaults: defaults, base: baseDirectory)
        let to = try SyncConfig.resolve(destination, "destination", defaults: defaults, base: baseDirectory)
        guard !repositories.isEmpty else { throw .invalidArgument("repositories: list at least one repository") }
        var jobs: [SyncJob] = []
        for (number, repository) in repositories.enumerated() {
            let place = "repositories[\(number)]"
            let name = repository.name
            try SyncConfig.check("\(place).name") { () throws(LayoutError) in try Names.validateRepository(name) }
            let target = try SyncConfig.destinationName(repository.destination, name: name, place: "\(place).destination")
            let filter = try SyncConfig.filter(repository.tags, place: "\(place).tags")
            var copy = CopyOptions(all: repository.all ?? false, referrers: repository.referrers ?? true, progress: progress)
            for (index, text) in (repository.platforms ?? []).enumerated() {
                copy.platforms.append(
                    try SyncConfig.check("\(place).platforms[\(index)]") { () throws(LayoutError) in try Platform(parsing: text) })
            }
            if copy.all, !copy.platforms.isEmpty {
                throw .invalidArgument("\(place): 'all' copies every platform; remove 'platforms' or 'all'")
            }
            for (index, text) in (repository.artifactTypes ?? []).enumerated() {
                let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.contains(" ") else {
                    throw .invalidArgument("\(place).artifactTypes[\(index)]: '\(text)' is not a media type (TYPE/SUBTYPE)")
                }
                copy.artifactTypes.append(MediaType(rawValue: text))
            }
            if !copy.referrers, !copy.artifactTypes.isEmpty {
                throw .invalidArgument("\(place): 'artifactTypes' selects referrers, but 'referrers' is false")
            }
            jobs.append(
                try SyncJob(
                    source: from.reference(name), destination: to.reference(target), sourceRegistry: from.options,
                    destinationRegistry: to.options, filter: filter, copy: copy))
        }
        return jobs
    }

    /// Reads a configuration file and turns it into jobs, relative paths taken from the file's directory.
    /// - Throws: `.invalidArgument("FILE:LINE:COLUMN: PLACE: PROBLEM")` (`FILE: PROBLEM` for a problem no
    ///   setting locates).
    public static func jobs(
        fromFile path: String, defaults: RegistryOptions = RegistryOptions(), progress: (@Sendable (Int64) -> Void)? = nil
    ) throws(SyncError) -> [SyncJob] {
        let config = try load(path)
        let base = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : "."
        do throws(SyncError) {
            return try config.jobs(defaults: defaults, baseDirectory: base.isEmpty ? "/" : base, progress: progress)
        } catch {
            guard case .invalidArgument(let message) = error, !message.hasPrefix(path + ":") else { throw error }
            throw .invalidArgument("\(path): \(message)")
        }
    }

    /// An endpoint checked: where repositories live and how to reach them.
    private struct ResolvedEndpoint {
        var registry: String?
        var layout: String?
        var options: RegistryOptions

        func reference(_ repository: String) -> ImageReference {
            if let registry { return .registry(host: registry, repository: repository, selector: nil) }
            return .layout(path: (layout ?? ".") + "/" + repository, selector: nil)
        }
    }

    private static func resolve(_ endpoint: Endpoint, _ place: String, defaults: RegistryOptions, base: String?)
        throws(SyncError) -> ResolvedEndpoint
    {
        switch (endpoint.registry, endpoint.layout) {
        case (nil, nil): throw .invalidArgument("\(place): give 'registry: HOST[:PORT]' or 'layout: DIR'")
        case (.some, .some): throw .invalidArgument("\(place): give either 'registry' or 'layout', not both")
        case (nil, let layout?):
            let registryKeys: [(String, Bool)] = [
                ("plainHTTP", endpoint.plainHTTP != nil), ("tlsVerify", endpoint.tlsVerify != nil),
                ("certDir", endpoint.certDir != nil), ("credentials", endpoint.credentials != nil),
                ("authfile", endpoint.authfile != nil), ("noCreds", endpoint.noCreds != nil),
            ]
            if let (key, _) = registryKeys.first(where: { $0.1 }) {
                throw .invalidArgument("\(place).\(key): applies to a registry, not to a layout")
            }
            guard !layout.isEmpty else { throw .invalidArgument("\(place).layout: the path is empty") }
            return ResolvedEndpoint(layout: path(layout, base: base), options: defaults)
        case (let registry?, nil):
            guard !registry.isEmpty, !registry.contains("/"), !registry.contains("://"), !registry.contains(" ") else {
                throw .invalidArgument("\(place).registry: '\(registry)' is not HOST[:PORT] (no scheme, no path)")
            }
            if endpoint.noCreds == true, endpoint.credentials != nil || endpoint.authfile != nil {
                throw .invalidArgument("\(place).noCreds: cannot be combined with 'credentials' or 'authfile'")
            }
            var credentials: Credentials?
            if let text = endpoint.credentials {
                do throws(SyncError) { credentials = try Credentials(parsing: text) } catch {
                    throw .invalidArgument("\(place).credentials: must be USER:PASSWORD")
                }
            }
            var options = defaults.overridden(
                credentials: credentials, authFile: endpoint.authfile.map { path($0, base: base) },
                anonymous: endpoint.noCreds, tlsVerify: endpoint.tlsVerify,
                certDirectory: endpoint.certDir.map { path($0, base: base) })
            if let plainHTTP = endpoint.plainHTTP { options.plainHTTP = plainHTTP }
            return ResolvedEndpoint(registry: registry, options: options)
        }
    }

    /// The destination repository: the template with `{name}` replaced, checked.
    private static func destinationName(_ template: String?, name: String, place: String) throws(SyncError) -> String {
        guard let template else { return name }
        let target = template.replacingOccurrences(of: "{name}", with: name)
        if let brace = target.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            let rest = target[brace...].prefix { $0 != "}" }
            throw .invalidArgument("\(place): '\(rest)}' is not a placeholder; the only one is {name}")
        }
        try check(place) { () throws(LayoutError) in try Names.validateRepository(target) }
        return target
    }

    private static func filter(_ tags: Tags?, place: String) throws(SyncError) -> TagFilter {
        guard let tags else { return .all }
        for (key, patterns) in [("allow", tags.allow ?? []), ("deny", tags.deny ?? [])] {
            for (index, pattern) in patterns.enumerated() {
                do throws(SyncError) { _ = try TagFilter(allow: [pattern]) } catch {
                    throw .invalidArgument("\(place).\(key)[\(index)]: \(error)")
                }
            }
        }
        do throws(SyncError) { _ = try TagFilter(semver: tags.semver) } catch {
            throw .invalidArgument("\(place).semver: \(error)")
        }
        do throws(SyncError) { _ = try TagFilter(latest: tags.latest) } catch {
            throw .invalidArgument("\(place).latest: \(error)")
        }
        return try TagFilter(allow: tags.allow ?? [], deny: tags.deny ?? [], semver: tags.semver, latest: tags.latest)
    }

    /// Runs a Layout check, prefixing its message with the place in the configuration.
    private static func check<T>(_ place: String, _ body: () throws(LayoutError) -> T) throws(SyncError) -> T {
        do throws(LayoutError) { return try body() } catch {
            throw .invalidArgument("\(place): \(error)")
        }
    }

    /// `~/x` under $HOME; a relative path under `base`.
    private static func path(_ text: String, base: String?) -> String {
        if text.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            return home + text.dropFirst()
        }
        guard !text.hasPrefix("/"), let base, !base.isEmpty else { return text }
        return base.hasSuffix("/") ? base + text : base + "/" + text
    }
}
