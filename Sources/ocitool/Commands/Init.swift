// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Layout

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty OCI image layout.",
        discussion: """
            Creates PATH (and its parents) with oci-layout, index.json and blobs/. An existing layout is left as it is.

            Example:
              ocitool init ./images/app
            """.reflowed
    )

    @Argument(help: "The layout directory to create.")
    var path: String

    func run() throws {
        let layout = try OCILayout.create(at: path)
        Console.write("initialised \(layout.path)\n")
    }
}
