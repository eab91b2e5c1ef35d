// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout

extension ServeCommand {
    /// What the demo suggests trying against its image: ocitool's own commands (spelled as this process was
    /// started, so they work without ocitool on PATH), then skopeo's and curl's where they are installed.
    static func demoCommands(registry: String, scheme: String) -> [String] {
        let tool = CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : "ocitool"
        let repository = "\(registry)/\(DemoContent.repository)"
        let image = "\(repository):\(DemoContent.tag)"
        // A loopback registry needs no flag for plain HTTP (ocitool falls back to it, as docker does).
        let transport = scheme == "http" ? "" : "--tls-verify=false "
        var commands = [
            "  \(tool) ls \(transport)docker://\(repository)",
            "  \(tool) inspect \(transport)docker://\(image)",
            "  \(tool) discover \(transport)docker://\(image)",
            "  \(tool) copy \(transport)docker://\(image) ./hello:latest",
        ]
        if isInstalled("skopeo") {
            commands += [
                "  skopeo inspect --tls-verify=false docker://\(image)",
                "  skopeo copy --src-tls-verify=false docker://\(image) oci:./hello:latest",
            ]
        }
        if isInstalled("curl") { commands.append("  curl -s \(scheme)://\(registry)/v2/_catalog") }
        return commands
    }

    /// Whether an executable named `name` is on PATH.
    private static func isInstalled(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
