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
        public init() {}
    }

    let configuration: Configuration
    var book = IncidentBook()
    let printer: TerminalPrinter
    public private(set) var pipeline: Pipeline!

    public init(ruleSet: RuleSet, configuration: Configuration) throws {
        self.configuration = configuration
        printer = TerminalPrinter(json: configuration.json, links: configuration.links, colour: Output.colourOnStdout)
        printer.updateInterval = configuration.updateInterval
        let store = try configuration.stateDirectory.map { try StateStore(directory: $0) }
        var pipelineConfiguration = Pipeline.Configuration()
        pipelineConfiguration.idleTimeout = configuration.idleTimeout
        var handler = Pipeline.Handler()
        handler.classified = { [unowned self] classification, now in show(classification, now: now) }
        handler.retracted = { [unowned self] classification, _ in book.retract(classification) }
        handler.committed = { [unowned self] now in printer.updates(&book, now: now) }
        handler.event = { event in Output.err("logwatch: \(event)") }
        handler.checkpointFailed = { error in Output.err("logwatch: checkpoint failed: \(error)") }
        pipeline = try Pipeline(ruleSet: ruleSet, store: store, configuration: pipelineConfiguration, handler: handler)
    }

    /// Follows a path, or every file a pattern matches now and later.
    public func addFile(_ path: String, fromStart: Bool, format: FileTailer.Format = .plain) {
        pipeline.addFile(path, fromStart: fromStart, format: format)
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

    private func show(_ classification: Classification, now: Double) {
        let (incident, isNew) = book.add(classification, time: now)
        printer.show(classification, incident: incident, isNew: isNew, book: &book, now: now)
    }
}
