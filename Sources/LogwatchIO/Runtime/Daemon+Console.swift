import Foundation
import Logging
import LogwatchCore
import Synchronization

/// The daemon's side of the operator's console: what the listener may read (a copy of the
/// book's incidents, taken on the pipeline's thread at each checkpoint), silences applied to
/// the notices due, and test sends.
extension Daemon {
    /// What the console reads; written on the pipeline's thread, read from the listener's.
    struct ConsoleView: Sendable {
        var host = ""
        var open: [Incident] = []
        var resolved: [Incident] = []
        var links = EntryLinks()
        /// Sinks by name with their lanes, for test sends.
        var sinks: [LogwatchConfig.Sink] = []
        var context = NoticeContext(host: "")
    }

    /// Resolved incidents stay on the console this long, and at most this many.
    static let resolvedKept: (seconds: Double, count: Int) = (3_600, 200)

    /// Takes out of `notices` the incidents an active silence matches (counted, still in the
    /// book and on the console); remembers resolved incidents for the console.
    func applySilences(_ notices: [Notice], now: Double) -> [Notice] {
        let active = silences.active(at: now)
        metrics.setSilencesActive(active.count)
        var kept: [Notice] = []
        for notice in notices {
            if notice.kind == .resolved { rememberResolved(notice.incidents, now: now) }
            let (remaining, silenced) = Silence.filter(notice, silences: active, at: now)
            if !silenced.isEmpty {
                metrics.noticesSilenced(silenced.count)
                logger.info("Held back a notice part: a silence matches it.",
                            metadata: ["notice.kind": "\(notice.kind.rawValue)", "incidents": "\(silenced.map(\.id).joined(separator: ","))"])
            }
            if let remaining { kept.append(remaining) }
        }
        return kept
    }

    func rememberResolved(_ incidents: [Incident], now: Double) {
        recentlyResolved = (incidents + recentlyResolved)
            .filter { now - ($0.resolvedAt ?? now) < Self.resolvedKept.seconds }
            .prefix(Self.resolvedKept.count).map { $0 }
    }

    /// Publishes the book's state to the console (cheap: the arrays are copied on write).
    func publishConsole() {
        let view = ConsoleView(host: context.host, open: book.incidents, resolved: recentlyResolved,
                               links: context.links, sinks: loaded.config.sinks, context: context)
        consoleView.withLock { $0 = view }
    }

    func makeConsole(token: String?) -> Console {
        // The daemon, not a copy of its view: a Mutex is not copyable, and the console lives no
        // longer than the daemon that serves it.
        let daemon = self, silences = self.silences, client = senders.client
        return Console(
            snapshot: {
                let current = daemon.consoleView.withLock { $0 }
                let now = Date().timeIntervalSince1970
                return IncidentSnapshot(host: current.host, now: now, open: current.open, resolved: current.resolved,
                                        silences: silences.all, links: current.links)
            },
            silences: silences,
            notifyTest: { name in
                let current = daemon.consoleView.withLock { $0 }
                guard let sink = current.sinks.first(where: { $0.name == name && $0.kind.needsURL }) else { return nil }
                var context = current.context
                // A test alert must not linger: it lapses in five minutes.
                context.alertLifetime = 300
                let payload = Self.format(sink.kind).render(Notice.test(host: context.host, time: Date().timeIntervalSince1970),
                                                            context: context)
                var results: [Console.TestResult] = []
                for lane in sink.lanes {
                    let configuration = WebhookSink.Configuration(name: lane.name, url: lane.url, format: sink.kind.rawValue,
                                                                  timeout: sink.timeout.seconds)
                    let outcome = await WebhookSink(configuration: configuration, client: client)
                        .send(body: payload.body, contentType: payload.contentType)
                    let result: Console.TestResult = switch outcome {
                    case .delivered(let status):
                        .init(lane: lane.name, url: configuration.maskedURL, outcome: "delivered", status: status, detail: nil)
                    case .retryLater(_, let reason):
                        .init(lane: lane.name, url: configuration.maskedURL, outcome: "failed", status: nil, detail: reason)
                    case .permanent(let status, let body):
                        .init(lane: lane.name, url: configuration.maskedURL, outcome: "refused", status: status, detail: body)
                    }
                    results.append(result)
                }
                return results
            },
            token: token)
    }
}
