import Foundation
import Logging
import NIOConcurrencyHelpers

/// Drains one sink's share of the outbox on its own task, so a slow or failing webhook never
/// holds up reading, classifying or the other sinks.
///
/// One notice is in flight at a time and only the oldest is ever sent: a sink receives its
/// notices in commit order, and a notice waiting for its retry holds back those behind it.
/// A notice leaves the outbox only after a 2xx (delivered) or a refusal that retrying cannot
/// fix (discarded); everything else is retried with the sink's backoff. The outbox is durable,
/// so stopping, crashing or being killed loses nothing: the next worker on the same state
/// directory sends what is left (at-least-once: a notice in flight at a crash is sent again).
///
/// Lifecycle: `start()`, `wake()` after every commit that queued notices for this sink,
/// `await stop(deadline:)` on shutdown; `Senders` is the daemon's one caller of each.
public final class DeliveryWorker: Sendable {
    /// Totals since the worker was made, for metrics.
    public struct Counters: Sendable, Equatable {
        /// Notices a receiver accepted (2xx).
        public var delivered = 0
        /// Attempts that did not deliver (any error, timeout or non-2xx answer).
        public var failed = 0
        /// Failed attempts that were scheduled to be tried again.
        public var retried = 0
        /// Notices removed undelivered: refused for good (4xx) or out of retries.
        public var discarded = 0
        public init() {}
    }

    /// One change to the counters, for callers that feed a metrics registry as they happen.
    public enum Event: String, Sendable {
        case delivered, failed, retried, discarded
    }

    public let sink: WebhookSink
    let store: StateStore
    let logger: Logger
    let clock: @Sendable () -> Double
    let observer: (@Sendable (Event) -> Void)?
    /// How long to sleep with nothing queued or after a state-file error before looking again
    /// (a `wake()` cuts it short).
    let idleCheck: Double
    private let state = NIOLockedValueBox(State())

    private struct State {
        var counters = Counters()
        var running = false
        /// Stop asked for: send only what is due now, start nothing after the deadline.
        var draining = false
        /// Past the stop deadline (or cancelled): start nothing more.
        var stopping = false
        var woken = false
        var sleeper: Task<Void, Never>?
        var inflight: Task<WebhookSink.Outcome, Never>?
        var finished: [CheckedContinuation<Void, Never>] = []
    }

    /// - Parameters:
    ///   - logger: where delivery problems are reported; lines carry `sink` and `sink.host`
    ///     (the masked URL), never the URL itself.
    ///   - now: the time base of the state store: the daemon's `ServiceClock` (never stepping).
    ///   - observer: called once per counter change (from the worker's task).
    public init(sink: WebhookSink, store: StateStore, logger: Logger,
                now: @escaping @Sendable () -> Double = { ServiceClock.standard.now() },
                idleCheck: Double = 60,
                observer: (@Sendable (Event) -> Void)? = nil) {
        self.sink = sink
        self.store = store
        self.logger = logger
        self.clock = now
        self.idleCheck = max(0.01, idleCheck)
        self.observer = observer
    }

    public var name: String { sink.name }

    public var counters: Counters { state.withLockedValue { $0.counters } }

    /// Runs the worker on a task of its own. Calling it twice, or after `stop`, does nothing.
    public func start() {
        let begin = state.withLockedValue { state -> Bool in
            guard !state.running, !state.stopping, !state.draining else { return false }
            state.running = true
            return true
        }
        guard begin else { return }
        Task.detached { [self] in await self.loop() }
    }

    /// New notices were committed for this sink: look at the outbox now rather than at the
    /// next planned time. Cheap; safe to call from any thread.
    public func wake() {
        state.withLockedValue { state in
            if let sleeper = state.sleeper { sleeper.cancel() } else { state.woken = true }
        }
    }

    /// Stops: until `deadline` the worker still sends the notices that are due now, one at a
    /// time and in order (the last checkpoint's notices reach a working receiver before the
    /// process ends); a notice waiting for a retry is not waited for. At the deadline a request
    /// in flight is abandoned and its notice stays queued (it may have arrived: the next run
    /// sends it again). Everything not sent stays in the outbox. Returns once the worker ended.
    public func stop(deadline: ContinuousClock.Instant) async {
        state.withLockedValue { state in
            state.draining = true
            state.sleeper?.cancel()
        }
        let enforcer = Task.detached { [state] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            state.withLockedValue { state in
                state.stopping = true
                state.inflight?.cancel()
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                guard state.running else { return true }
                state.finished.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        enforcer.cancel()
    }

    private var stopping: Bool { state.withLockedValue { $0.stopping } }
    private var draining: Bool { state.withLockedValue { $0.draining } }

    private func loop() async {
        let metadata: Logger.Metadata = ["sink": "\(sink.name)", "sink.host": "\(sink.configuration.maskedURL)",
                                         "sink.format": "\(sink.configuration.format)"]
        while !stopping {
            let head: StateStore.Pending?
            do {
                head = try store.oldest(sink: sink.name)
            } catch {
                logger.error("The outbox could not be read; delivery will try again shortly.",
                             metadata: metadata.merging(["error": "\(error)"]) { $1 })
                if draining { break }
                await pause(min(5, idleCheck))
                continue
            }
            guard let head else {
                if draining { break }
                await pause(idleCheck)
                continue
            }
            let wait = head.nextAttempt - clock()
            if wait > 0 {
                // Stopping: a notice waiting for its retry stays for the next run.
                if draining { break }
                await pause(min(wait, idleCheck))
                continue
            }
            await attempt(head, metadata: metadata)
        }
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.running = false
            defer { state.finished = [] }
            return state.finished
        }
        for waiter in waiters { waiter.resume() }
    }

    private func attempt(_ item: StateStore.Pending, metadata base: Logger.Metadata) async {
        let sink = self.sink
        let request = Task { await sink.send(body: item.notice.body, contentType: item.notice.contentType) }
        state.withLockedValue { state in
            // A stop that began since the loop looked: start nothing new.
            if state.stopping { request.cancel() } else { state.inflight = request }
        }
        let outcome = await request.value
        let abandoned = state.withLockedValue { state -> Bool in
            state.inflight = nil
            return state.stopping && request.isCancelled
        }
        let attempts = item.attempts + 1
        var metadata = base
        metadata["notice"] = "\(item.notice.notice)"
        metadata["notice.kind"] = "\(item.notice.kind)"
        metadata["attempt"] = "\(attempts)"
        do {
            switch outcome {
            case .delivered(let status):
                // Counted first: the receiver's answer is the event, the row is bookkeeping
                // (and anyone who sees the outbox shrink sees the counter already moved).
                count(.delivered)
                try store.delivered(item.id)
                metadata["http.status"] = "\(status)"
                logger.debug("Delivered a notice.", metadata: metadata)
            case .retryLater(let after, let reason):
                // Cut short by our own stop: not the receiver's fault, so no attempt is counted.
                if abandoned {
                    logger.info("Abandoned a request in flight at shutdown; the notice stays queued.", metadata: metadata)
                    return
                }
                count(.failed)
                metadata["error"] = "\(reason)"
                var random = SystemRandomNumberGenerator()
                let now = clock()
                if let next = sink.configuration.retry.nextAttempt(afterAttempts: attempts, created: item.created, now: now,
                                                                    serverDelay: after, using: &random) {
                    count(.retried)
                    try store.retry(item.id, attempts: attempts, at: next, error: reason)
                    metadata["retry.in"] = "\(String(format: "%.1f", next - now))"
                    if let after { metadata["retry.after"] = "\(after)" }
                    logger.warning("Webhook delivery failed; the notice will be retried.", metadata: metadata)
                } else {
                    count(.discarded)
                    try store.discard(item.id)
                    logger.error("Webhook delivery failed too often or for too long; the notice is dropped.", metadata: metadata)
                }
            case .permanent(let status, let body):
                count(.failed)
                count(.discarded)
                try store.discard(item.id)
                metadata["http.status"] = "\(status)"
                metadata["http.body"] = "\(body)"
                logger.error("The webhook refused the notice; it is dropped because sending it again cannot succeed.",
                             metadata: metadata)
            }
        } catch {
            // The state file failed: the notice stays as it was and is tried again (at worst
            // delivered twice), after a pause so a broken disk does not spin.
            metadata["error"] = "\(error)"
            logger.error("The outbox could not record a delivery result.", metadata: metadata)
            await pause(min(5, idleCheck))
        }
    }

    private func count(_ event: Event) {
        state.withLockedValue { state in
            switch event {
            case .delivered: state.counters.delivered += 1
            case .failed: state.counters.failed += 1
            case .retried: state.counters.retried += 1
            case .discarded: state.counters.discarded += 1
            }
        }
        observer?(event)
    }

    /// Sleeps up to `seconds`, less if `wake()` or `stop` comes.
    private func pause(_ seconds: Double) async {
        let nanoseconds = UInt64(max(0, min(seconds, 86_400)) * 1e9)
        let sleeper = Task<Void, Never> { try? await Task.sleep(nanoseconds: nanoseconds) }
        let sleep = state.withLockedValue { state -> Bool in
            if state.woken || state.stopping || state.draining {
                state.woken = false
                return false
            }
            state.sleeper = sleeper
            return true
        }
        guard sleep else {
            sleeper.cancel()
            return
        }
        await sleeper.value
        state.withLockedValue { state in
            state.sleeper = nil
            state.woken = false
        }
    }
}
