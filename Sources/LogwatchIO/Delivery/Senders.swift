import AsyncHTTPClient
import Foundation
import Logging
import LogwatchCore

/// The daemon's senders: one `DeliveryWorker` per delivery lane (a URL sink, or one Alertmanager
/// replica of it), keyed by the lane's name, sharing one HTTP client. The only
/// place a worker is started, replaced or stopped: at start, on a reload, at stop.
///
/// One worker per sink at any moment: a reload that changes a sink starts the new worker only
/// once the old one has ended (hand-overs of one sink are chained), so two workers never send
/// the same outbox rows at once. Called from one thread at a time (the daemon's start, then the
/// pipeline thread for reloads and commits, then the daemon's stop).
final class Senders {
    let client: HTTPClient
    private let store: StateStore
    private let logger: Logger
    private var workers: [String: DeliveryWorker] = [:]
    /// Per sink, a reload's replacement in progress: the old worker stopping, then the new starting.
    private var handovers: [String: Task<Void, Never>] = [:]
    /// The workers' totals already turned into metric increments.
    private var counted: [String: DeliveryWorker.Counters] = [:]

    init(store: StateStore, logger: Logger) {
        self.store = store
        self.logger = logger
        client = WebhookSink.makeClient()
    }

    /// Starts a worker for every lane of every sink that sends to a URL.
    func start(_ sinks: [LogwatchConfig.Sink]) {
        for sink in sinks where sink.kind.needsURL {
            for lane in sink.lanes { start(sink, lane: lane, after: nil) }
        }
    }

    /// A reload: workers of removed lanes stop, changed sinks' lanes get a new worker after the old one ended.
    func reload(from old: [LogwatchConfig.Sink], to new: [LogwatchConfig.Sink]) {
        let lanes = Set(new.filter(\.kind.needsURL).flatMap { $0.lanes.map(\.name) })
        for (name, worker) in workers where !lanes.contains(name) {
            Task { await worker.stop(deadline: .now + .seconds(5)) }
            workers[name] = nil
        }
        for sink in new where sink.kind.needsURL {
            if let existing = old.first(where: { $0.name == sink.name }), existing == sink,
               sink.lanes.allSatisfy({ workers[$0.name] != nil }) { continue }
            for lane in sink.lanes { start(sink, lane: lane, after: workers[lane.name]) }
        }
    }

    private func start(_ sink: LogwatchConfig.Sink, lane: (name: String, url: String), after previous: DeliveryWorker?) {
        let configuration = WebhookSink.Configuration(name: lane.name, url: lane.url, format: sink.kind.rawValue,
                                                      timeout: sink.timeout.seconds)
        let worker = DeliveryWorker(sink: WebhookSink(configuration: configuration, client: client), store: store, logger: logger)
        workers[lane.name] = worker
        guard let previous else {
            worker.start()
            return
        }
        let earlier = handovers[lane.name]
        handovers[lane.name] = Task {
            await earlier?.value
            await previous.stop(deadline: .now + .seconds(5))
            worker.start()  // refused if the daemon stopped it meanwhile
        }
    }

    /// New notices were committed: every worker looks at the outbox now.
    func wake() {
        for worker in workers.values { worker.wake() }
    }

    /// Turns the workers' running totals into metric increments.
    func count(into metrics: LogwatchMetrics) {
        for (name, worker) in workers {
            let now = worker.counters
            let before = counted[name] ?? DeliveryWorker.Counters()
            for _ in 0..<max(0, now.delivered - before.delivered) { metrics.noticeSent(sink: name) }
            for _ in 0..<max(0, now.failed - before.failed) { metrics.noticeFailed(sink: name) }
            for _ in 0..<max(0, now.discarded - before.discarded) { metrics.noticeDropped(sink: name) }
            counted[name] = now
        }
    }

    /// Stops every worker (blocking the calling thread, never a Swift concurrency one): until
    /// `deadline` they still send what is due, then requests in flight are abandoned and the rest
    /// stays in the outbox. Hand-overs finish first. Then the HTTP client shuts down.
    func stop(deadline: ContinuousClock.Instant) {
        let workers = Array(self.workers.values)
        let handovers = Array(self.handovers.values)
        let done = DispatchSemaphore(value: 0)
        Task {
            for handover in handovers { await handover.value }
            await withTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { await worker.stop(deadline: deadline) } }
            }
            done.signal()
        }
        done.wait()
        try? client.syncShutdown()
    }
}
