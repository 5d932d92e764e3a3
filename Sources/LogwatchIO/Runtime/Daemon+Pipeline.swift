import Foundation
import Logging
import LogwatchCore

/// What the daemon does on the pipeline's thread: count, group, route, checkpoint.
extension Daemon {
    func observe(_ record: LogRecord, _ metadata: EntryMetadata?) {
        // The journal says when a record was written; reading a backlog must correlate on that
        // time, not on when logwatch got to it.
        recordTime = metadata?.timestamp.flatMap(RFC3339.parse)
        if record.truncated { metrics.linesTruncated() }
        if let event = metadata?.unitEvent {
            desk.observe(event)
            bookChanged = true
        }
    }

    func classified(_ classification: Classification, now: Double) {
        metrics.matched(class: classification.ruleClass, rule: classification.ruleID)
        let outcome = desk.take(classification, time: now, eventTime: recordTime)
        bookChanged = true
        options.terminal?.show(classification, outcome: outcome, book: &desk.book, now: now)
    }

    /// The notices due now, rendered per sink; URL sinks' go to the outbox with the positions,
    /// stdout's are printed once the checkpoint is durable.
    func checkpoint(now: Double, final: Bool) -> StateStore.Checkpoint {
        var checkpoint = StateStore.Checkpoint()
        let due = book.advance(to: now)
        if !due.isEmpty { bookChanged = true }
        let notices = applySilences(due, now: now)
        // A sink's notice is queued once per delivery lane (per Alertmanager replica), so each
        // replica gets it on its own schedule; drops are reported for the sink as a whole.
        var lanes: [String: [String]] = [:]
        for sink in loaded.config.sinks where sink.kind.needsURL { lanes[sink.name] = sink.lanes.map(\.name) }
        let outputs = router.route(notices, at: now, context: context) { [store] sink in
            (lanes[sink] ?? [sink]).reduce(0) { $0 + ((try? store.takeDropped(sink: $1)) ?? 0) }
        }
        checkpoint.notices = unsaved
        for output in outputs {
            if let names = lanes[output.sink] {
                for name in names {
                    checkpoint.notices.append(StateStore.NewNotice(sink: name, notice: output.notice.id,
                                                                   kind: output.notice.kind.rawValue,
                                                                   contentType: output.payload.contentType, body: output.payload.body))
                }
            } else if options.terminal == nil {
                stdoutPending.append((output.sink, output.payload.string))
            }
            if output.notice.kind == .suppressed { metrics.noticeSuppressed(sink: output.sink) }
        }
        unsaved = checkpoint.notices
        if bookChanged || final {
            let encoder = JSONEncoder()
            if let data = try? encoder.encode(book) { checkpoint.values[Self.bookKey] = Array(data) }
            if let data = try? encoder.encode(router.gates) { checkpoint.values[Self.gatesKey] = Array(data) }
            if let data = try? encoder.encode(desk.deploy) { checkpoint.values[Self.deployKey] = Array(data) }
            if let data = try? encoder.encode(desk.correlator) { checkpoint.values[Self.correlationKey] = Array(data) }
            bookChanged = false
        }
        metrics.setIncidentsOpen(book.incidents.count)
        publishConsole()
        return checkpoint
    }

    func committed(now: Double) {
        let hadNotices = !unsaved.isEmpty
        unsaved.removeAll()
        for (sink, text) in stdoutPending {
            Output.out(text)
            // Printed is delivered, for the stdout sink.
            metrics.noticeSent(sink: sink)
        }
        stdoutPending.removeAll()
        if hadNotices { senders.wake() }
        if let terminal = options.terminal { terminal.updates(&book, now: now) }
        senders.count(into: metrics)
        if now - lastOutboxCheck >= 5 || hadNotices {
            lastOutboxCheck = now
            if let depth = try? store.depth() { metrics.setOutboxDepth(depth) }
        }
        for (key, bytes) in pipeline.sourceLags { metrics.setSourceLag(source: key, bytes: bytes) }
    }

    func sourceEvent(_ event: SourceEvent) {
        let metadata: Logger.Metadata = ["source": "\(event.source)", "event": "\(event.kind.rawValue)"]
        switch event.kind {
        case .gap, .fallback, .error:
            logger.warning("\(event.message)", metadata: metadata)
            if event.kind == .gap { metrics.recordSkipped(reason: "possible-gap") }
        default:
            logger.info("\(event.message)", metadata: metadata)
        }
        options.terminal.map { _ in Output.err("logwatch: \(event)") }
    }
}
