// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `--format text|json`, shared by every command whose output is data.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text for people, json for scripts.")
    var format: Format = .text

    var json: Bool { format == .json }
}
