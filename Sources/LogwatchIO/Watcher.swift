import Foundation
import LogwatchCore

/// The terminal form of the live pipeline (`--follow`, `--stdin`, `--docker`, `--journal`):
/// new incidents are printed at once, changed ones at most every `updateInterval`; with
/// `json`, every matched record is one NDJSON line. With a state directory, positions are
/// checkpointed so a restart resumes where the last run stopped.
public final class Watcher {
    public struct Configuration {
        public var json = false
        public var idleTimeout: Double = 0.2
        /// A changed incident is shown again at most this often.
        public var updateInterval: Double = 5
        public var links = EntryLinks()
        /// Where positions are kept; nil reads without resuming.
        public var stateDirectory: String?
        /// How often file patterns are expanded again to find new files.
        public var globInterval: Double = 2
        public init() {}
    }

    let configuration: Configuration
    let redactor = Redactor()
    var book = IncidentBook()
    let text: IncidentText
    public private(set) var pipeline: Pipeline!
    private var globs: [(glob: FileGlob, format: FileTailer.Format, known: Set<String>)] = []
    private var lastGlob: Double = 0

    public init(ruleSet: RuleSet, configuration: Configuration) throws {
        self.configuration = configuration
        text = IncidentText(style: TextStyle(colour: !configuration.json && Output.colourOnStdout), links: configuration.links)
        let store = try configuration.stateDirectory.map { try StateStore(directory: $0) }
        var pipelineConfiguration = Pipeline.Configuration()
        pipelineConfiguration.idleTimeout = configuration.idleTimeout
        var handler = Pipeline.Handler()
        handler.classified = { [unowned self] classification, now in show(classification, now: now) }
        handler.committed = { [unowned self] now in
            for incident in book.dueUpdates(at: now, interval: configuration.updateInterval) where !configuration.json {
                Output.out(text.updateLine(incident))
            }
        }
        handler.event = { event in Output.err("logwatch: \(event)") }
        handler.checkpointFailed = { error in Output.err("logwatch: checkpoint failed: \(error)") }
        handler.heartbeat = { [unowned self] now in expandGlobs(now: now) }
        pipeline = try Pipeline(ruleSet: ruleSet, store: store, configuration: pipelineConfiguration, handler: handler)
    }

    /// Follows a path, or every file a pattern matches now and later (new files from their start).
    public func addFile(_ path: String, fromStart: Bool, format: FileTailer.Format = .plain) {
        guard FileGlob.isPattern(path) else {
            pipeline.add(FileTailer(path: path, fromStart: fromStart, format: format))
            return
        }
        let glob = FileGlob(path)
        let now = glob.expand()
        for match in now { pipeline.add(FileTailer(path: match, fromStart: fromStart, format: format)) }
        globs.append((glob, format, Set(now)))
    }

    public func addStandardInput(decode: ((ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, EntryMetadata?)])? = nil) {
        pipeline.add(StreamSource(decode: decode))
    }

    public func add(_ source: any LogSource) {
        pipeline.add(source)
    }

    public func run() {
        pipeline.run()
    }

    public func stop() {
        pipeline.stop()
    }

    private func expandGlobs(now: Double) {
        guard !globs.isEmpty, now - lastGlob >= configuration.globInterval else { return }
        lastGlob = now
        for i in globs.indices {
            for path in globs[i].glob.expand() where !globs[i].known.contains(path) {
                globs[i].known.insert(path)
                // A file that appeared while we watch is new: all of it is unread.
                pipeline.add(FileTailer(path: path, fromStart: true, format: globs[i].format))
            }
        }
    }

    private func show(_ classification: Classification, now: Double) {
        let (incident, isNew) = book.add(classification, time: now)
        if configuration.json {
            Output.out(RecordJSON.render(classification, redactor: redactor, links: configuration.links))
        } else if isNew {
            Output.out(text.render(incident, entry: classification.rule?.entry) + "\n")
            book.markNoticed(incident.id, at: now)
        }
    }
}
