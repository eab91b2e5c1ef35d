// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// A one-line transfer indicator on stderr: bytes (of the total and a percentage, when the total is known) and
/// rate, redrawn at most 10 times a second. Silent when
/// stderr is not a terminal, so pipelines and logs stay clean. Whatever the command prints next (a result, an
/// error) clears the line first (`Console`), so a failure never leaves it half-drawn.
final class ProgressBar: Sendable {
    private struct State {
        var bytes: Int64 = 0
        var total: Int64?
        var lastDraw = Date.distantPast
    }

    private let label: String
    private let start = Date()
    private let enabled: Bool
    private let state = Mutex(State())

    init(_ label: String, total: Int64? = nil, enabled: Bool = Console.isInteractive) {
        self.label = label
        self.enabled = enabled
        state.withLock { $0.total = total.flatMap { $0 > 0 ? $0 : nil } }
    }

    /// A callback for operations that learn the total once they have planned, or nil when not drawing.
    var totalKnown: (@Sendable (Int64) -> Void)? {
        enabled ? { @Sendable [self] total in state.withLock { $0.total = total > 0 ? total : nil } } : nil
    }

    /// A callback for operations that report cumulative bytes, or nil when not drawing.
    var cumulative: (@Sendable (Int64) -> Void)? {
        enabled ? { @Sendable [self] total in update { $0 = total } } : nil
    }

    /// A callback for operations that report each increment, or nil when not drawing.
    var increments: (@Sendable (Int64) -> Void)? {
        enabled ? { @Sendable [self] delta in update { $0 += delta } } : nil
    }

    private func update(_ change: (inout Int64) -> Void) {
        let line: String? = state.withLock { state in
            change(&state.bytes)
            let bytes = state.bytes
            let now = Date()
            guard now.timeIntervalSince(state.lastDraw) >= 0.1 else { return nil }
            state.lastDraw = now
            return render(bytes, total: state.total, elapsed: now.timeIntervalSince(start))
        }
        if let line { Console.drawProgress(line) }
    }

    /// Clears the line once the transfer is over.
    func finish() {
        if enabled { Console.clearProgress() }
    }

    private func render(_ bytes: Int64, total: Int64?, elapsed: TimeInterval) -> String {
        let rate = elapsed > 0 ? Int64(Double(bytes) / elapsed) : 0
        guard let total else { return "\(label) \(formatBytes(bytes))  \(formatBytes(rate))/s" }
        let percent = min(100, Int(Double(bytes) * 100 / Double(total)))
        return "\(label) \(formatBytes(bytes)) of \(formatBytes(total)) (\(percent)%)  \(formatBytes(rate))/s"
    }
}
