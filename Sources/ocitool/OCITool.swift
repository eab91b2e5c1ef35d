// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation

/// The `ocitool` command: argument parsing and output only; every operation is a Layout library call.
@main
struct OCITool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocitool",
        abstract: "OCI image layouts, a registry over them, and digest-preserving copies between them and registries.",
        discussion: """
            References use skopeo's grammar:
              PATH[:TAG|@DIGEST], oci:PATH[:TAG|@DIGEST]  an image layout directory
              oci-archive:FILE[:TAG]                      a layout tarball (.gz/.zst)
              docker-archive:FILE[:NAME:TAG]              a `docker save` tarball
              docker://HOST[:PORT]/REPO[:TAG|@DIGEST]     a registry

            Exit codes: 0 ok, 1 failure, 2 usage error, 3 not found, 4 verification failed.
            """.reflowed,
        version: ocitoolVersion,
        subcommands: [
            Init.self, List.self, Inspect.self, Tag.self, Untag.self, Remove.self, Import.self, Export.self,
            Copy.self, Attach.self, Discover.self, GarbageCollect.self, Fsck.self, ServeCommand.self, Login.self,
            Logout.self, SyncCommand.self, HtpasswdCommand.self, KeyCommand.self, Sign.self, Verify.self, Attest.self,
            VerifyAttestation.self, SBOMCommand.self, DatabaseCommand.self, ScanCommand.self,
        ]
    )

    /// Runs the command and maps every failure to one `error:` line on stderr and a documented exit code.
    static func main() async {
        do {
            var command = try parseAsRoot(BooleanFlags.normalized(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if let report = ErrorReport(any: error) { fail(report) }
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let usage = code == .validationFailure
            Console.error(usageMessage(for: error), hint: usage ? "see '\(commandPath(in: CommandLine.arguments)) --help'" : nil)
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    /// Prints a library error's line and hint and exits with its code.
    private static func fail(_ report: ErrorReport) -> Never {
        report.print()
        Foundation.exit(report.exitCode)
    }

    /// The first line of ArgumentParser's message, in the style of ocitool's own errors ("unknown option …").
    private static func usageMessage(for error: any Error) -> String {
        let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        guard let first = line.first, let second = line.dropFirst().first, second.isLowercase else { return line }
        return first.lowercased() + line.dropFirst()
    }

    /// `ocitool SUBCOMMAND` when the first argument names a subcommand, else `ocitool`.
    private static func commandPath(in arguments: [String]) -> String {
        let names = configuration.subcommands.map { $0._commandName }
        return arguments.dropFirst().first.flatMap { names.contains($0) ? "ocitool \($0)" : nil } ?? "ocitool"
    }
}
