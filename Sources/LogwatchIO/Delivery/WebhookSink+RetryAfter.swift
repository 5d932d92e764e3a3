import Foundation

extension WebhookSink {
    /// Reads a `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an
    /// HTTP-date. Returns the wait in seconds from `now` (never negative), or nil when the
    /// value is neither, so the caller falls back to its own backoff.
    public static func retryAfter(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return Double(text)
        }
        // IMF-fixdate first (what servers send), then the two obsolete forms receivers must accept.
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                return max(0, date.timeIntervalSince(now))
            }
        }
        return nil
    }
}
