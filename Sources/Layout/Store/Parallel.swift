// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Runs `first` on one thread and `second` on another and waits for both; the first error wins.
func inParallel(
    _ first: () throws(LayoutError) -> Void, _ second: () throws(LayoutError) -> Void
) throws(LayoutError) {
    try withoutActuallyEscaping(first) { (first) throws(LayoutError) in
        try withoutActuallyEscaping(second) { (second) throws(LayoutError) in
            let pair = ParallelPair(first, second)
            DispatchQueue.concurrentPerform(iterations: 2) { part in pair.run(part) }
            if let failure = pair.firstFailure ?? pair.secondFailure { throw failure }
        }
    }
}

/// Two jobs run by `concurrentPerform`. `@unchecked Sendable`: the caller gives jobs that touch disjoint
/// state, each part writes only its own failure, and failures are read only after both parts have joined.
private final class ParallelPair: @unchecked Sendable {
    let first: () throws(LayoutError) -> Void
    let second: () throws(LayoutError) -> Void
    var firstFailure: LayoutError?
    var secondFailure: LayoutError?

    init(_ first: @escaping () throws(LayoutError) -> Void, _ second: @escaping () throws(LayoutError) -> Void) {
        self.first = first
        self.second = second
    }

    func run(_ part: Int) {
        if part == 0 {
            do throws(LayoutError) { try first() } catch { firstFailure = error }
        } else {
            do throws(LayoutError) { try second() } catch { secondFailure = error }
        }
    }
}
