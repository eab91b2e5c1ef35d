// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Hummingbird
import Layout
import Logging
import Serve

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a store of layouts as an OCI Distribution registry.",
        discussion: """
            Every directory under --root holding an oci-layout file is a repository, named by its path
            (ROOT/team/app is team/app); pushes create layouts the CLI can use, and what the CLI writes is served
            on the next request. Plain HTTP on loopback by default. SIGINT/SIGTERM stop it gracefully.

            --demo serves a generated image with an SBOM (demo/hello:latest), in a temporary store unless --root
            is given: nothing external is needed.

            Examples:
              ocitool serve --demo
              ocitool serve --root /srv/registry --host 0.0.0.0 --port 5000
              skopeo copy --dest-tls-verify=false oci:./app:1.0 docker://127.0.0.1:5000/team/app:1.0
            """
    )

    @Option(help: "The store's root directory (created when missing).")
    var root: String?

    @Flag(help: "Serve a generated demo image (demo/hello:latest with an SBOM).")
    var demo = false

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 5000

    @Option(help: "How long an idle upload session lives (e.g. 30m, 1h).")
    var uploadExpiry = "1h"

    @Flag(inversion: .prefixedNo, help: "Allow DELETE of manifests, tags and blobs.")
    var delete = true

    @Flag(help: "Refuse every write (push, delete).")
    var readOnly = false

    @Flag(help: "Send blobs with sendfile(2) on plain HTTP (measure first: it was slower over loopback).")
    var sendfile = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard root != nil || demo else { throw ValidationError("name the store with --root DIR, or use --demo") }
    }

    func run() async throws {
        var logger = Logger(label: "ocitool.serve")
        logger.logLevel = logLevel
        let root =
            root
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ocitool-demo-\(getpid())").path
        if demo { try DemoContent.install(in: Store(root: root)) }
        let expiry = try parseDuration(uploadExpiry)
        let demo = self.demo
        let host = self.host
        var configuration = ServeConfiguration(
            root: root, host: host, port: port, uploadExpiry: .seconds(expiry), deleteEnabled: delete,
            readOnly: readOnly)
        configuration.sendfile = sendfile
        configuration.onServerRunning = { port in
            var lines = ["serving \(root) at http://\(host):\(port)/v2/"]
            if demo {
                let image = "\(host):\(port)/\(DemoContent.repository):\(DemoContent.tag)"
                lines += [
                    "try:",
                    "  skopeo inspect --tls-verify=false docker://\(image)",
                    "  skopeo copy --src-tls-verify=false docker://\(image) oci:./hello:latest",
                    "  curl -s http://\(host):\(port)/v2/_catalog",
                ]
            }
            Console.write(lines.joined(separator: "\n") + "\n")
        }
        try await buildApplication(configuration, logger: logger).runService()
        // A demo store this run made up is removed on shutdown; a --root store is the user's.
        if self.root == nil { try? FileManager.default.removeItem(atPath: root) }
    }
}
