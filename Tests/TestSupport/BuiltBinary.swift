// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Executables `swift build` produced for the tests to run.
public enum BuiltBinary {
    /// The built `ocitool` next to the test bundle (`swift build` puts both in one directory), or `$OCITOOL_BIN`;
    /// nil when it is not built.
    public static var ocitool: String? {
        if let path = ProcessInfo.processInfo.environment["OCITOOL_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ocitool").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
