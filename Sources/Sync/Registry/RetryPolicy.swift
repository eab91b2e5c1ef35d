// SPDX-License-Identifier: Apache-2.0
import Foundation

/// How often and how patiently a request is retried after a network error, a 5xx or a 429.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 disables retries).
    public var maxAttempts: Int
    /// Wait before the first retry, in seconds; it doubles for each further retry.
    public var initialDelay: Double
    /// Longest wait between attempts, in seconds.
    public var maxDelay: Double
    /// Longest `Retry-After` honoured, in seconds: a registry asking for longer gets this.
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 4, initialDelay: Double = 0.5, maxDelay: Double = 10, maxRetryAfter: Double = 60) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1): the server's `Retry-After` (capped)
    /// when it sent one, else exponential backoff.
    func delay(after attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(0, retryAfter), maxRetryAfter) }
        return min(maxDelay, initialDelay * pow(2, Double(attempt - 1)))
    }

    /// Parses `Retry-After`: delta seconds or an HTTP date.
    static func parseRetryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { $0.timeIntervalSinceNow }
    }
}
