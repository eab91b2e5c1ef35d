// SPDX-License-Identifier: Apache-2.0

/// What a Go binary's build info records: the toolchain version and the module information `go version -m`
/// prints.
///
/// Spec: the `modinfo` text of Go's runtime/debug (`ParseBuildInfo`): tab-separated lines `path`, `mod` (the main
/// module), `dep` (one per dependency module), `=>` (the replacement of the module on the line before) and
/// `build` (settings).
struct GoBuildInfo: Hashable, Sendable {
    /// One module: path, version and go.sum hash, and what a `=>` line replaced it with.
    struct Module: Hashable, Sendable {
        var path: String
        var version: String
        var sum: String?
        var replacement: Replacement?

        struct Replacement: Hashable, Sendable {
            var path: String
            var version: String
        }
    }

    /// The toolchain that built the binary (`go1.21.5`, possibly followed by ` X:…` experiments).
    var goVersion: String
    /// The main package's import path.
    var path: String?
    var main: Module?
    var dependencies: [Module]
    /// Lines that match none of the documented forms.
    var malformedLines: Int

    /// Parses the modinfo text (already stripped of its 16-byte framing).
    init(goVersion: String, modinfo: String) {
        self.goVersion = goVersion
        path = nil
        main = nil
        dependencies = []
        malformedLines = 0
        // Which module a `=>` line applies to: the main module (nil) or the last dependency.
        var lastWasMain = false
        for line in modinfo.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first ?? "" {
            case "path" where fields.count >= 2:
                path = fields[1]
            case "mod" where fields.count >= 3:
                main = Module(path: fields[1], version: fields[2], sum: fields.count > 3 ? fields[3] : nil)
                lastWasMain = true
            case "dep" where fields.count >= 3:
                dependencies.append(Module(path: fields[1], version: fields[2], sum: fields.count > 3 ? fields[3] : nil))
                lastWasMain = false
            case "=>" where fields.count >= 3:
                let replacement = Module.Replacement(path: fields[1], version: fields[2])
                if lastWasMain, main != nil {
                    main?.replacement = replacement
                } else if !dependencies.isEmpty {
                    dependencies[dependencies.count - 1].replacement = replacement
                } else {
                    malformedLines += 1
                }
            case "build", "go":
                break
            default:
                malformedLines += 1
            }
        }
    }
}

extension GoBuildInfo.Module {
    /// The module as it was built: a module replacement's path and version; a local directory replacement
    /// (`=> ../dep`) keeps the required path (as syft does) with the replacement's version, if it has one.
    var effective: (path: String, version: String) {
        guard let replacement else { return (path, version) }
        let isDirectory = replacement.path.hasPrefix(".") || replacement.path.hasPrefix("/")
        let version = replacement.version.isEmpty ? GoBinaryCataloger.develVersion : replacement.version
        return (isDirectory ? path : replacement.path, version)
    }
}
