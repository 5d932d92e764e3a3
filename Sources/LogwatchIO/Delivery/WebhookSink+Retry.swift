extension WebhookSink.Configuration {
    /// When a failed notice is tried again: exponential backoff with jitter, bounded by a
    /// number of attempts and an age, after which the notice is given up (and counted).
    ///
    /// The calculation is pure: the caller passes the random source and the current time, so
    /// tests pin both and the worker passes the system's.
    public struct Retry: Sendable, Equatable {
        /// The first retry waits up to this long (seconds); each further one doubles it.
        public var baseDelay: Double
        /// No computed wait is longer than this (seconds).
        public var maxDelay: Double
        /// The share of each wait that is random: 1 is "full jitter" (anywhere between 0 and
        /// the exponential value), which spreads a fleet's retries after a shared outage;
        /// 0 is plain exponential backoff.
        public var jitter: Double
        /// Give up after this many failed attempts (nil: no limit, `maxAge` alone decides).
        public var maxAttempts: Int?
        /// Give up on a notice this long after it was queued (seconds; nil: no limit). Old
        /// notices describe a past state; the outbox's own bound still applies.
        public var maxAge: Double?
        /// A server's `Retry-After` is honoured up to this long (seconds), so a bogus header
        /// cannot park a sink for days.
        public var maxRetryAfter: Double

        public init(baseDelay: Double = 1, maxDelay: Double = 300, jitter: Double = 1,
                    maxAttempts: Int? = nil, maxAge: Double? = 86_400, maxRetryAfter: Double = 3_600) {
            self.baseDelay = max(0, baseDelay)
            self.maxDelay = max(self.baseDelay, maxDelay)
            self.jitter = min(1, max(0, jitter))
            self.maxAttempts = maxAttempts.map { max(1, $0) }
            self.maxAge = maxAge
            self.maxRetryAfter = max(0, maxRetryAfter)
        }

        /// The wait before retry number `attempts` (1 after the first failure).
        public func delay(afterAttempts attempts: Int, using random: inout some RandomNumberGenerator) -> Double {
            let exponent = Double(min(max(attempts, 1) - 1, 62))
            let ceiling = min(maxDelay, baseDelay * pow2(exponent))
            guard jitter > 0, ceiling > 0 else { return ceiling }
            let fixed = ceiling * (1 - jitter)
            return fixed + Double.random(in: 0...(ceiling * jitter), using: &random)
        }

        /// When to try a notice again after its `attempts`-th failure, or nil to give up.
        /// `serverDelay` is the receiver's `Retry-After` (seconds), which replaces the backoff.
        public func nextAttempt(afterAttempts attempts: Int, created: Double, now: Double,
                                serverDelay: Double?, using random: inout some RandomNumberGenerator) -> Double? {
            if let maxAttempts, attempts >= maxAttempts { return nil }
            let wait = serverDelay.map { min(max(0, $0), maxRetryAfter) }
                ?? delay(afterAttempts: attempts, using: &random)
            let time = now + wait
            if let maxAge, time > created + maxAge { return nil }
            return time
        }

        private func pow2(_ exponent: Double) -> Double {
            var value = 1.0
            for _ in 0..<Int(exponent) {
                value *= 2
                if value > 1e12 { break }
            }
            return value
        }
    }
}
