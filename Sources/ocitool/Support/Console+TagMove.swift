// SPDX-License-Identifier: Apache-2.0
import Layout

extension Console {
    /// Says that a tag was re-pointed, and that the image it left keeps its referrers (signatures, SBOMs): they
    /// do not follow the tag.
    static func report(_ move: TagMove, in repository: any ImageSource) {
        var line = "moved \(repository):\(move.tag) from \(move.from) to \(move.to)"
        let referrers = (try? repository.referrers(of: move.from).count) ?? 0
        if referrers > 0 { line += "; the \(counted(referrers, "referrer")) of \(move.from) stay with it" }
        Console.write(line + "\n")
    }
}
