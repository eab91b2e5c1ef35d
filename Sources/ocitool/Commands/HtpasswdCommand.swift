// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Serve

struct HtpasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "htpasswd",
        abstract: "Add a user to an htpasswd file, change a password, or remove a user.",
        discussion: """
            Writes bcrypt hashes (cost 10), as `htpasswd -B` does, for `ocitool serve --htpasswd FILE`, so a site
            needs no apache2-utils. The password is typed twice at a prompt, or read from the first line of standard
            input when that is not a terminal. The file is created (mode 0600) when missing, and replaced
            atomically: a running server picks the change up within a second.

            Examples:
              ocitool htpasswd /etc/ocitool/htpasswd alice
              echo "$PASSWORD" | ocitool htpasswd /etc/ocitool/htpasswd ci
              ocitool htpasswd --delete /etc/ocitool/htpasswd bob
            """.reflowed
    )

    @Flag(help: "Remove the user instead.")
    var delete = false

    @Argument(help: "The htpasswd file.")
    var file: String

    @Argument(help: "The user name.")
    var user: String

    func run() throws {
        if delete {
            guard try HtpasswdFile.removeUser(user, from: file) else {
                Console.error("\(file) has no user \(user)", hint: "list the users with: cut -d: -f1 \(file)")
                throw ExitCode(3)
            }
            Console.write("removed \(user) from \(file)\n")
            return
        }
        let replaced = try HtpasswdFile.setPassword(try SecretInput.password(), for: user, in: file)
        Console.write(replaced ? "changed the password of \(user) in \(file)\n" : "added \(user) to \(file)\n")
    }
}
