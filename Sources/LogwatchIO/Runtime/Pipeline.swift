import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif
import LogwatchCore

/// The reading loop: sources → framer → classifier → handler, with checkpoints.
///
/// One thread does all of it, so records stay in order per source and the core stays
/// single-threaded. Every `checkpointInterval` the handler is asked for what must be made
/// durable (rendered notices, the incident snapshot); the pipeline adds the position after the
/// last record each source fully handed over, and the state store writes them in one
/// transaction. A record still being framed is never covered by a checkpoint, so a restart
/// reads it again whole.
public final class Pipeline {
    public struct Configuration: Sendable {
        /// A record still open with several lines (a traceback in progress) is handed on after
        /// this long without new lines from its source (`--idle-ms`). It only bounds latency:
        /// the record stays open, and lines that join it later give its final form, which
        /// replaces the early one (`LogRecord.Revision`).
        public var idleTimeout: Double = 0.2
        /// The same for an open record of one line. Python's logging writes a record and its
        /// traceback in one write(2), so a traceback that belongs to the line is usually there
        /// when the source runs dry; waiting longer only delays the notice.
        public var settleTimeout: Double = 0.02
        /// The longest sleep when no descriptor can wake us (and the fallback poll period).
        public var maxWait: Double = 0.25
        public var checkpointInterval: Double = 1
        /// Lines read from one source before the others get a turn.
        public var batchLines = 8_192
        /// How often file patterns are expanded again to find new files.
        public var globInterval: Double = 2
        public init() {}
    }

    /// What the pipeline calls; all on the pipeline's thread.
    public struct Handler {
        /// A record that matched a rule or looked like an unknown error.
        public var classified: (Classification, _ now: Double) -> Void = { _, _ in }
        /// A classification handed on early (an open record, after the idle timeout) that the
        /// record's final form does not confirm: take it back. The final form's own
        /// classification, if any, follows through `classified`.
        public var retracted: (Classification, _ now: Double) -> Void = { _, _ in }
        /// Every record, matched or not, after source metadata was applied (statistics, unit events).
        public var record: (LogRecord, EntryMetadata?) -> Void = { _, _ in }
        /// Called at each checkpoint: notices and values to persist with the positions.
        public var checkpoint: (_ now: Double, _ final: Bool) -> StateStore.Checkpoint = { _, _ in StateStore.Checkpoint() }
        /// After the checkpoint is durable (or at once without a state store): print, wake senders.
        public var committed: (_ now: Double) -> Void = { _ in }
        /// A source event (rotation, gap, fallback...).
        public var event: (SourceEvent) -> Void = { _ in }
        /// A checkpoint could not be written; reading goes on and the next one tries again.
        public var checkpointFailed: (any Error) -> Void = { _ in }
        /// Once per loop turn: the watchdog's proof of life.
        public var heartbeat: (_ now: Double) -> Void = { _ in }
        public init() {}
    }

    final class Input {
        let source: any LogSource
        var framer: Framer
        var lineNumber = 0
        /// Tokens of lines not yet covered by an emitted record; index 0 is `firstPendingLine`.
        var tokens: [Int64] = []
        var firstPendingLine = 1
        var metadata: [Int: EntryMetadata] = [:]
        var boundary = EntryBoundary()
        var lastData: Double
        var finished = false
        /// What the open record handed on early was classified as (see `Framer.pending`).
        var provisional: Classification?
        /// Position after the last record handed over, and whether it moved since the last checkpoint.
        var doneToken: Int64?
        var doneLine = 0
        var dirty = false

        init(source: any LogSource, framer: Framer.Configuration, now: Double) {
            self.source = source
            self.framer = Framer(source: source.label, configuration: framer)
            lastData = now
        }
    }

    public let configuration: Configuration
    public var framerConfiguration = Framer.Configuration()
    public private(set) var classifier: Classifier
    let store: StateStore?
    let handler: Handler
    let wakeup: Wakeup
    private var inputs: [Input] = []
    private var restored: [String: String] = [:]
    private var stopRequested = false
    private let lock = NSLock()
    private var pendingActions: [(Pipeline) -> Void] = []
    private var lastCheckpoint: Double = 0
    private var globs: [Glob] = []
    private var lastGlob: Double = 0
    /// Sources removed since the last checkpoint: their final positions are still written.
    private var removed: [Input] = []
    public private(set) var statistics = Statistics()

    public struct Statistics: Sendable {
        public var lines = 0
        public var records = 0
        public var classified = 0
        public var truncatedLines = 0
        public var checkpoints = 0
    }

    public init(ruleSet: RuleSet, store: StateStore?, configuration: Configuration = Configuration(),
                handler: Handler, wakeup: Wakeup = Wakeup()) throws {
        classifier = Classifier(ruleSet: ruleSet)
        self.store = store
        self.configuration = configuration
        self.handler = handler
        self.wakeup = wakeup
        restored = try store?.positions() ?? [:]
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Adds a source; a checkpoint saved for its key is restored first.
    public func add(_ source: any LogSource) {
        let input = Input(source: source, framer: framerConfiguration, now: Self.now())
        if let saved = restored[source.key] {
            let parts = saved.split(separator: "\t", maxSplits: 1)
            if parts.count == 2, let line = Int(parts[0]) {
                input.lineNumber = line
                input.firstPendingLine = line + 1
                input.doneLine = line
                source.restore(String(parts[1]))
            }
        }
        inputs.append(input)
    }

    public var sourceKeys: [String] { inputs.map(\.source.key) }

    /// Follows a path, or every file a pattern matches now and later (files that appear later
    /// are new, so they are read from their start).
    public func addFile(_ path: String, fromStart: Bool, format: FileTailer.Format = .plain) {
        guard FileGlob.isPattern(path) else {
            add(FileTailer(path: path, fromStart: fromStart, format: format))
            return
        }
        let glob = FileGlob(path)
        let matches = glob.expand()
        for match in matches { add(FileTailer(path: match, fromStart: fromStart, format: format)) }
        globs.append(Glob(glob: glob, format: format, known: Set(matches)))
    }

    /// Stops reading a source: its record in progress is flushed and handed over, and its
    /// position written with the next checkpoint.
    public func remove(key: String) {
        guard let index = inputs.firstIndex(where: { $0.source.key == key }) else { return }
        var records: [LogRecord] = []
        let input = inputs[index]
        input.framer.flush(into: &records)
        handle(&records, input: input, now: Self.now())
        removed.append(input)
        inputs.remove(at: index)
    }

    /// Stops following a path or pattern given to `addFile`, and every file it brought.
    public func removeFile(_ path: String) {
        if let index = globs.firstIndex(where: { $0.glob.pattern == path }) {
            for match in globs[index].known { remove(key: "file:" + match) }
            globs.remove(at: index)
        } else {
            remove(key: "file:" + path)
        }
    }

    struct Glob {
        var glob: FileGlob
        var format: FileTailer.Format
        var known: Set<String>
    }

    private func expandGlobs(now: Double) {
        guard !globs.isEmpty, now - lastGlob >= configuration.globInterval else { return }
        lastGlob = now
        for i in globs.indices {
            for path in globs[i].glob.expand() where !globs[i].known.contains(path) {
                globs[i].known.insert(path)
                add(FileTailer(path: path, fromStart: true, format: globs[i].format))
            }
        }
    }

    /// Thread-safe: asks the loop to finish (flush, checkpoint, return).
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        wakeup.signal()
    }

    /// Thread-safe: runs `action` on the pipeline's thread at the next turn (reload, add sources).
    public func perform(_ action: @escaping (Pipeline) -> Void) {
        lock.lock()
        pendingActions.append(action)
        lock.unlock()
        wakeup.signal()
    }

    /// Swaps the rule set; called on the pipeline's thread (through `perform`).
    public func replaceRules(_ ruleSet: RuleSet) {
        classifier = Classifier(ruleSet: ruleSet)
    }

    /// Runs until `stop()` or until every source has finished (standard input at its end).
    public func run() {
        var records: [LogRecord] = []
        records.reserveCapacity(256)
        lastCheckpoint = Self.now()
        while true {
            let (stopping, actions) = takeRequests()
            for action in actions { action(self) }
            var now = Self.now()
            var anyData = false
            for input in inputs where !input.finished {
                let status = read(input, into: &records, now: now)
                if !records.isEmpty { anyData = true }
                if status == .finished || stopping {
                    input.framer.flush(into: &records)
                    if status == .finished { input.finished = true }
                } else if input.framer.hasUnseenPendingLines && now - input.lastData >= idleTimeout(input) {
                    // Nothing new for a while: hand on the open record as it stands. It stays
                    // open; if more of it comes, its final form replaces this one.
                    if let record = input.framer.pending() { records.append(record) }
                }
                handle(&records, input: input, now: now)
                for event in input.source.takeEvents() { handler.event(event) }
            }
            handler.heartbeat(now)
            expandGlobs(now: now)
            now = Self.now()
            let allFinished = inputs.allSatisfy(\.finished)
            if stopping || allFinished || now - lastCheckpoint >= configuration.checkpointInterval {
                checkpoint(now: now, final: stopping || allFinished)
            }
            if stopping || allFinished { return }
            if !anyData { wait(now: now) }
        }
    }

    private func retract(_ classification: Classification, now: Double) {
        statistics.classified -= 1
        handler.retracted(classification, now)
    }

    /// Two classifications that would count as the same sighting of the same incident.
    static func same(_ a: Classification, _ b: Classification) -> Bool {
        a.ruleID == b.ruleID && a.fingerprintValues == b.fingerprintValues
    }

    private func idleTimeout(_ input: Input) -> Double {
        input.framer.pendingLineCount <= 1 ? min(configuration.settleTimeout, configuration.idleTimeout) : configuration.idleTimeout
    }

    private func takeRequests() -> (Bool, [(Pipeline) -> Void]) {
        lock.lock()
        defer { lock.unlock() }
        let actions = pendingActions
        pendingActions.removeAll()
        return (stopRequested, actions)
    }

    private func read(_ input: Input, into records: inout [LogRecord], now: Double) -> ReadStatus {
        var lines = 0
        let status = input.source.read(maxLines: configuration.batchLines) { bytes, token, metadata in
            input.lineNumber += 1
            input.tokens.append(token)
            if let metadata { input.metadata[input.lineNumber] = metadata }
            input.framer.push(line: bytes, number: input.lineNumber, metadata: metadata, boundary: &input.boundary,
                              time: nil, into: &records)
            lines += 1
        }
        if lines > 0 {
            input.lastData = now
            statistics.lines += lines
        }
        return status
    }

    private func handle(_ records: inout [LogRecord], input: Input, now: Double) {
        guard !records.isEmpty else { return }
        var finals = 0
        for i in records.indices {
            let metadata = input.metadata[records[i].line]
            metadata?.apply(to: &records[i])
            let revision = records[i].revision
            if revision != .provisional {
                finals += 1
                if records[i].truncated { statistics.truncatedLines += 1 }
                handler.record(records[i], metadata)
            }
            // A final form whose early form was handed on: nothing new when it has the same
            // lines or reads the same; otherwise the early classification is taken back.
            if revision == .unchanged {
                input.provisional = nil
                continue
            }
            let classification = classifier.classify(records[i])
            if revision == .grown {
                let earlier = input.provisional
                input.provisional = nil
                if let earlier, let classification, Self.same(earlier, classification) { continue }
                if let earlier { retract(earlier, now: now) }
            }
            if revision == .provisional {
                if let earlier = input.provisional {
                    if let classification, Self.same(earlier, classification) { continue }
                    retract(earlier, now: now)
                }
                input.provisional = classification
            }
            if let classification {
                statistics.classified += 1
                handler.classified(classification, now)
            }
        }
        statistics.records += finals
        // Everything up to the last finished record's last line is now handed over; an open
        // record handed on early is not, so a restart reads it again whole.
        guard let lastFinal = records.lastIndex(where: { $0.revision != .provisional }) else {
            records.removeAll(keepingCapacity: true)
            return
        }
        let last = records[lastFinal].endLine
        let index = last - input.firstPendingLine
        if index >= 0 && index < input.tokens.count {
            input.doneToken = input.tokens[index]
            input.doneLine = last
            input.dirty = true
            input.tokens.removeFirst(index + 1)
            input.firstPendingLine = last + 1
            if !input.metadata.isEmpty { input.metadata = input.metadata.filter { $0.key > last } }
        }
        records.removeAll(keepingCapacity: true)
    }

    /// Writes positions and the handler's notices in one transaction.
    public func checkpoint(now: Double, final: Bool) {
        lastCheckpoint = now
        var checkpoint = handler.checkpoint(now, final)
        var moved: [Input] = []
        for input in inputs + removed where input.dirty {
            guard let token = input.doneToken, let text = input.source.checkpoint(after: token) else { continue }
            checkpoint.positions[input.source.key] = "\(input.doneLine)\t\(text)"
            moved.append(input)
        }
        guard let store else {
            handler.committed(now)
            return
        }
        do {
            try store.commit(checkpoint, now: now)
            for input in moved { input.dirty = false }
            removed.removeAll()
            statistics.checkpoints += 1
            handler.committed(now)
        } catch {
            handler.checkpointFailed(error)
        }
    }

    private func wait(now: Double) {
        var descriptors = [pollfd(fd: wakeup.readFD, events: Int16(POLLIN), revents: 0)]
        for input in inputs where !input.finished {
            if let fd = input.source.waitDescriptor { descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        }
        var timeout = configuration.maxWait
        for input in inputs where !input.finished && input.framer.hasUnseenPendingLines {
            timeout = min(timeout, max(0.001, input.lastData + idleTimeout(input) - now))
        }
        timeout = min(timeout, max(0.001, lastCheckpoint + configuration.checkpointInterval - now))
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(max(1, timeout * 1000)))
        if descriptors[0].revents != 0 { wakeup.drain() }
    }
}
