// HTTP/: the listener (metrics, health, entries, incidents API) and the metrics registry.
// The edge. May use: Hummingbird, Prometheus, Support/, LogwatchCore.
// The map of all rooms: docs/architecture.md.

import Foundation
import LogwatchCore
import Prometheus
import Synchronization

/// Every metric the daemon reports, in one registry that `/metrics` exposes.
///
/// Metrics are created from this instance's own `PrometheusCollectorRegistry`, never from the
/// global `MetricsSystem`, so a process (or a test) can hold several independent sets.
/// All methods are thread-safe. The per-record calls (`recordRead`, `matched`) resolve their
/// counter from a cache keyed by the label values: a locked dictionary lookup and an atomic add,
/// about 100 ns in a release build here. The pipeline's per-record path should keep the handles
/// from `readCounter(source:)` and `matchedCounter(class:rule:)` instead (about 3 ns), or count
/// a batch and add it once.
///
/// Label values are run through `Redactor` once, when their series is created, so a secret that
/// ends up in a source name or rule field never reaches a scrape.
public final class LogwatchMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry

    /// What happened to a notice at a sink.
    public enum NoticeOutcome: String, Sendable, CaseIterable {
        /// Delivered (the sink accepted it).
        case sent
        /// A delivery attempt failed (retries count once each).
        case failed
        /// Given up on: retries exhausted or the outbox was full.
        case dropped
        /// Not sent on purpose: storm control, silence or route filter.
        case suppressed
    }

    // Unlabeled series, created once.
    private let incidentsOpenGauge: Prometheus.Gauge
    private let outboxDepthGauge: Prometheus.Gauge
    private let linesTruncatedCounter: Prometheus.Counter
    private let rulesLoadedGauge: Prometheus.Gauge
    private let silencedCounter: Prometheus.Counter
    private let silencesActiveGauge: Prometheus.Gauge
    private let refusedCounters: [String: Prometheus.Counter]
    // build_info carries the rule count as a label, so it is replaced when a reload changes it.
    private let version: String
    private let buildInfo: Mutex<(rules: Int, gauge: Prometheus.Gauge)>

    // Labeled series, created on first use and cached per label set.
    private let cache = Cache()
    private let redactor = Redactor()

    /// `rules`: the rule count at start, the `rules` label of `logwatch_build_info`.
    public init(version: String, rules: Int = 0) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        incidentsOpenGauge = registry.makeGauge(descriptor: Descriptor.incidentsOpen)
        outboxDepthGauge = registry.makeGauge(descriptor: Descriptor.outboxDepth)
        linesTruncatedCounter = registry.makeCounter(descriptor: Descriptor.linesTruncated)
        rulesLoadedGauge = registry.makeGauge(descriptor: Descriptor.rulesLoaded)
        silencedCounter = registry.makeCounter(descriptor: Descriptor.noticesSilenced)
        silencesActiveGauge = registry.makeGauge(descriptor: Descriptor.silencesActive)
        // Every reason from the start: an alert on a refused write sees a series before the first.
        var refused: [String: Prometheus.Counter] = [:]
        for reason in Console.Refusal.allCases {
            refused[reason.rawValue] = registry.makeCounter(descriptor: Descriptor.writesRefused, labels: [("reason", reason.rawValue)])
        }
        refusedCounters = refused
        self.version = redactor.redact(version)
        let info = Self.makeBuildInfo(registry, version: self.version, rules: rules)
        buildInfo = Mutex((rules, info))
        // Both results exist from the start, so `increase(...{result="failure"}[1h])` has a
        // series to work on before the first failed reload.
        for result in ["success", "failure"] {
            _ = registry.makeCounter(descriptor: Descriptor.configReloads, labels: [("result", result)])
        }
    }

    // MARK: Declaring the label sets that should read 0 before anything happens

    /// Creates the per-source and per-sink series at zero, so alerts on `rate()` or
    /// `increase()` see a series from the first scrape. Call at start and after a reload.
    public func declare(sources: [String] = [], sinks: [String] = []) {
        for source in sources {
            _ = readSeries(source: source)
            _ = lagGauge(source: source)
        }
        for sink in sinks {
            for outcome in NoticeOutcome.allCases { _ = noticeCounter(outcome, sink: sink) }
        }
        for reason in Self.skipReasons { recordSkipped(reason: reason, count: 0) }
    }

    /// The reasons the daemon counts records as skipped under: `possible-gap` (a source says
    /// lines may be missing: a restored position no longer matches, a copytruncate).
    public static let skipReasons = ["possible-gap"]

    // MARK: Pipeline calls

    /// One record (or `count` records) read from `source`.
    public func recordRead(source: String, count: Int = 1) {
        readSeries(source: source).increment(by: Int64(max(0, count)))
    }

    /// A record matched `rule` of class `class` (`.unknown` with rule `"none"` for error-looking
    /// records that matched nothing).
    public func matched(class incidentClass: IncidentClass, rule: String, count: Int = 1) {
        matchedSeries(class: incidentClass, rule: rule).increment(by: Int64(max(0, count)))
    }

    private func matchedSeries(class incidentClass: IncidentClass, rule: String) -> Prometheus.Counter {
        cached(cache.matched, MatchKey(incidentClass: incidentClass, rule: rule)) {
            registry.makeCounter(descriptor: Descriptor.recordsMatched,
                                 labels: [("class", incidentClass.rawValue), ("rule", redactor.redact(rule))])
        }
    }

    /// The number of incidents open now.
    public func setIncidentsOpen(_ count: Int) { incidentsOpenGauge.set(Int64(count)) }

    /// A notice's outcome at `sink` (the sink's configured name, never its URL).
    public func notice(_ outcome: NoticeOutcome, sink: String) {
        noticeCounter(outcome, sink: sink).increment()
    }
    public func noticeSent(sink: String) { notice(.sent, sink: sink) }
    public func noticeFailed(sink: String) { notice(.failed, sink: sink) }
    public func noticeDropped(sink: String) { notice(.dropped, sink: sink) }
    public func noticeSuppressed(sink: String) { notice(.suppressed, sink: sink) }

    /// Notices queued in the outbox and not yet delivered.
    public func setOutboxDepth(_ depth: Int) { outboxDepthGauge.set(Int64(depth)) }

    /// Bytes written to `source` that have not been read yet (file size minus read offset).
    public func setSourceLag(source: String, bytes: Int64) { lagGauge(source: source).set(bytes) }

    /// Lines cut at the framer's maximum length.
    public func linesTruncated(_ count: Int = 1) { linesTruncatedCounter.increment(by: Int64(max(0, count))) }

    /// A record skipped, with a short fixed reason (`invalid_utf8`, `bad_json`, ...).
    public func recordSkipped(reason: String, count: Int = 1) {
        let counter = cached(cache.skipped, reason) {
            registry.makeCounter(descriptor: Descriptor.recordsSkipped,
                                 labels: [("reason", redactor.redact(reason))])
        }
        counter.increment(by: Int64(max(0, count)))
    }

    /// The number of rules in the active rule set; `logwatch_build_info`'s `rules` label follows it.
    public func setRulesLoaded(_ count: Int) {
        rulesLoadedGauge.set(Int64(count))
        buildInfo.withLock { info in
            guard info.rules != count else { return }
            // One build_info series at a time: the old label set would otherwise read 1 forever.
            registry.unregisterGauge(info.gauge)
            info = (count, Self.makeBuildInfo(registry, version: version, rules: count))
        }
    }

    private static func makeBuildInfo(_ registry: PrometheusCollectorRegistry, version: String, rules: Int) -> Prometheus.Gauge {
        let gauge = registry.makeGauge(descriptor: Descriptor.buildInfo, labels: [("version", version), ("rules", String(rules))])
        gauge.set(to: 1)
        return gauge
    }

    /// A configuration reload (SIGHUP) was applied (`success`) or rejected (`failure`).
    public func configReloaded(success: Bool) {
        registry.makeCounter(descriptor: Descriptor.configReloads,
                             labels: [("result", success ? "success" : "failure")]).increment()
    }

    // MARK: Handles for the hot path

    /// The `records_read_total` counter of `source`, to keep and increment directly: no lookup.
    public func readCounter(source: String) -> CounterHandle {
        CounterHandle(counter: readSeries(source: source))
    }

    /// The `records_matched_total` counter of one rule, to keep (say, in an array indexed by
    /// `CompiledRule.index`, rebuilt on reload) and increment directly: no lookup.
    public func matchedCounter(class incidentClass: IncidentClass, rule: String) -> CounterHandle {
        CounterHandle(counter: matchedSeries(class: incidentClass, rule: rule))
    }

    /// One counter series, held by a caller that counts often. Callers need not import Prometheus.
    public struct CounterHandle: Sendable {
        let counter: Prometheus.Counter
        public func increment(by count: Int = 1) { counter.increment(by: Int64(max(0, count))) }
    }

    /// The text exposition (format 0.0.4) of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: Internals

    private func readSeries(source: String) -> Prometheus.Counter {
        cached(cache.read, source) {
            registry.makeCounter(descriptor: Descriptor.recordsRead,
                                 labels: [("source", redactor.redact(source))])
        }
    }

    private func lagGauge(source: String) -> Prometheus.Gauge {
        cached(cache.lag, source) {
            registry.makeGauge(descriptor: Descriptor.sourceLag,
                               labels: [("source", redactor.redact(source))])
        }
    }

    private func noticeCounter(_ outcome: NoticeOutcome, sink: String) -> Prometheus.Counter {
        let make = {
            let descriptor = switch outcome {
            case .sent: Descriptor.noticesSent
            case .failed: Descriptor.noticesFailed
            case .dropped: Descriptor.noticesDropped
            case .suppressed: Descriptor.noticesSuppressed
            }
            return self.registry.makeCounter(descriptor: descriptor, labels: [("sink", self.redactor.redact(sink))])
        }
        // Each table named where it is used: a Mutex cannot be copied into a local.
        switch outcome {
        case .sent: return cached(cache.sent, sink, make: make)
        case .failed: return cached(cache.failed, sink, make: make)
        case .dropped: return cached(cache.dropped, sink, make: make)
        case .suppressed: return cached(cache.suppressed, sink, make: make)
        }
    }

    /// Looks `key` up; on a miss, makes the series. The registry itself returns the existing
    /// series for a repeated label set, so two racing misses end with the same object.
    private func cached<K: Hashable & Sendable, M: Sendable>(_ table: borrowing Mutex<[K: M]>, _ key: K, make: () -> M) -> M {
        if let hit = table.withLock({ $0[key] }) { return hit }
        let made = make()
        table.withLock { $0[key] = made }
        return made
    }

    private struct MatchKey: Hashable, Sendable {
        let incidentClass: IncidentClass
        let rule: String
    }

    private final class Cache: Sendable {
        let read = Mutex<[String: Prometheus.Counter]>([:])
        let lag = Mutex<[String: Prometheus.Gauge]>([:])
        let skipped = Mutex<[String: Prometheus.Counter]>([:])
        let sent = Mutex<[String: Prometheus.Counter]>([:])
        let failed = Mutex<[String: Prometheus.Counter]>([:])
        let dropped = Mutex<[String: Prometheus.Counter]>([:])
        let suppressed = Mutex<[String: Prometheus.Counter]>([:])
        let matched = Mutex<[MatchKey: Prometheus.Counter]>([:])
    }

    /// Incidents left out of a notice because an operator's silence matched them.
    public func noticesSilenced(_ count: Int) { silencedCounter.increment(by: Int64(max(0, count))) }

    public func setSilencesActive(_ count: Int) { silencesActiveGauge.set(Int64(count)) }

    /// A console write (silence, test send) refused: not on loopback, no token, wrong token.
    public func writeRefused(_ reason: String) { refusedCounters[reason]?.increment() }

    /// Metric names, in one place so docs/metrics.md can be checked against them.
    public enum Name {
        public static var all: [String] { Descriptor.all.map(\.name) }
    }

    // The registry stops the process if one name is registered with two help texts, so each
    // name is described exactly once, here.
    private enum Descriptor {
        static func make(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "logwatch", metricName: name, unitName: unit, helpText: help)
        }
        static var recordsRead: MetricNameDescriptor { make("records_read", "total", "Log records read, by source.") }
        static var recordsMatched: MetricNameDescriptor {
            make("records_matched", "total", "Records that matched a rule, by incident class and rule id.")
        }
        static var incidentsOpen: MetricNameDescriptor { make("incidents_open", "", "Incidents currently open.") }
        static var noticesSent: MetricNameDescriptor { make("notices_sent", "total", "Notices delivered, by sink.") }
        static var noticesFailed: MetricNameDescriptor {
            make("notices_failed", "total", "Notice delivery attempts that failed, by sink.")
        }
        static var noticesDropped: MetricNameDescriptor {
            make("notices_dropped", "total", "Notices given up on (retries exhausted or outbox full), by sink.")
        }
        static var noticesSuppressed: MetricNameDescriptor {
            make("notices_suppressed", "total", "Notices withheld on purpose (storm control, silences, routes), by sink.")
        }
        static var outboxDepth: MetricNameDescriptor {
            make("outbox_depth", "", "Notices queued for delivery and not yet delivered.")
        }
        static var sourceLag: MetricNameDescriptor { make("source_lag", "bytes", "Bytes written to a source and not yet read.") }
        static var linesTruncated: MetricNameDescriptor {
            make("lines_truncated", "total", "Lines cut at the maximum line length.")
        }
        static var recordsSkipped: MetricNameDescriptor {
            make("records_skipped", "total", "Records skipped as unreadable, by reason.")
        }
        static var rulesLoaded: MetricNameDescriptor { make("rules_loaded", "", "Rules in the active rule set.") }
        static var configReloads: MetricNameDescriptor {
            make("config_reloads", "total", "Configuration reloads, by result (success or failure).")
        }
        static var buildInfo: MetricNameDescriptor {
            make("build_info", "", "Always 1; the labels name the running build (version) and its rule count (rules).")
        }
        static var noticesSilenced: MetricNameDescriptor {
            make("notices_silenced", "total", "Incidents left out of notices because a silence matched them.")
        }
        static var silencesActive: MetricNameDescriptor { make("silences_active", "", "Silences in force now.") }
        static var writesRefused: MetricNameDescriptor {
            make("http_writes_refused", "total", "Console writes (silences, test sends) refused, by reason.")
        }
        static var all: [MetricNameDescriptor] {
            [recordsRead, recordsMatched, incidentsOpen, noticesSent, noticesFailed, noticesDropped,
             noticesSuppressed, outboxDepth, sourceLag, linesTruncated, recordsSkipped, rulesLoaded,
             configReloads, buildInfo, noticesSilenced, silencesActive, writesRefused]
        }
    }
}
