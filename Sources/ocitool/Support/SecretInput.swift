// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Glibc

/// Reads a password: typed twice at a prompt, without echo, when standard input is a terminal; else the first
/// line of standard input (for scripts: `echo "$PASSWORD" | ocitool htpasswd FILE USER`).
enum SecretInput {
    static func password() throws -> String {
        guard isTerminal else { return firstLineOfStandardInput() }
        return try typedTwice()
    }

    /// Whether standard input is a terminal.
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// The first line of standard input, without its newline.
    static func firstLineOfStandardInput() -> String {
        let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        return input.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }

    /// A password typed twice at the terminal, without echo.
    /// - Throws: `ValidationError` when the two differ.
    static func typedTwice() throws -> String {
        let first = try prompt("password: ")
        guard try prompt("again: ") == first else {
            throw ValidationError("the two passwords differ; nothing was changed")
        }
        return first
    }

    /// A password typed once at the terminal, without echo, after `text`.
    static func typedOnce(_ text: String) throws -> String { try prompt(text) }

    /// One line read from the terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(text.utf8))
        return readLine(strippingNewline: true) ?? ""
    }
}
