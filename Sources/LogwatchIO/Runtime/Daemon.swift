import Foundation
import Logging
import LogwatchCore
import Synchronization

/// `logwatch run`: the whole service. Sources feed the pipeline; the incident book decides
/// which notices are due; the router renders them per sink; each checkpoint writes positions,
/// notices and the book in one transaction; delivery workers send from the outbox; the HTTP
/// listener serves metrics, health and entries; SIGHUP reloads; SIGTERM stops cleanly.
///
/// Everything that touches the book, router and sources runs on the pipeline's thread;
/// signals and reloads reach it through `Pipeline.perform`. (Hence `@unchecked Sendable`: the
/// reload queue only touches the thread-safe parts: options, logger, metrics, notifier and
/// `pipeline.perform`.)
public final class Daemon: @unchecked Sendable {
    public struct Options {
        /// The config file, read again on SIGHUP; nil when the config came from flags.
        public var configPath: String?
        /// Terminal use (`--follow`, with or without `--webhook`): print records or new incidents
        /// as they come, and a summary at the end.
        public var terminal: TerminalPrinter?
        public var version: String
        public var host: String
        public var idleTimeout: Double = 0.2
        /// `--from-start`: followed files without a checkpoint are read from their start.
        public var fromStart: Bool?
        /// How long a clean stop may spend delivering what is pending (the rest stays queued).
        public var stopDeadline: Double = 10

        public init(configPath: String?, version: String, host: String = ProcessInfo.processInfo.hostName) {
            self.configPath = configPath
            self.version = version
            self.host = host
        }
    }

    static let bookKey = "incident-book"
    static let gatesKey = "storm-gates"
    static let deployKey = "deploy-correlator"
    static let correlationKey = "correlator"

    let options: Options
    let logger: Logger
    var loaded: ConfigLoader.Loaded
    let store: StateStore
    let silences: SilenceStore
    /// Correlation, deploy context, the incident book and the router: the path every mode shares.
    var desk: IncidentDesk
    var book: IncidentBook {
        get { desk.book }
        set { desk.book = newValue }
    }
    var router: NoticeRouter {
        get { desk.router }
        set { desk.router = newValue }
    }
    var correlator: DeployCorrelator {
        get { desk.deploy }
        set { desk.deploy = newValue }
    }
    var context: NoticeContext {
        get { desk.context }
        set { desk.context = newValue }
    }
    let metrics: LogwatchMetrics
    var http: HTTPListener?
    /// The delivery workers, one per URL sink.
    let senders: Senders
    public private(set) var pipeline: Pipeline!
    let notifier = SystemdNotifier()
    /// Rendered notices whose checkpoint failed; they go into the next one.
    var unsaved: [StateStore.NewNotice] = []
    /// Stdout notices of the checkpoint being written; printed once it is durable.
    var stdoutPending: [(sink: String, text: String)] = []
    var bookChanged = true
    /// The journal time of the record being handled, when its source gave one.
    var recordTime: Double?
    var lastOutboxCheck: Double = 0
    let reloadQueue = DispatchQueue(label: "logwatch.reload")
    /// Incidents resolved lately, newest first, for the console (the book forgets them).
    var recentlyResolved: [Incident] = []
    let consoleView = Mutex(ConsoleView())

    public init(loaded: ConfigLoader.Loaded, options: Options, logger: Logger) throws {
        self.loaded = loaded
        self.options = options
        self.logger = logger
        let config = loaded.config
        guard let directory = config.stateDirectory else {
            throw StateStore.Failure.unwritable(path: "(none)", reason: "no state directory configured")
        }
        store = try StateStore(directory: directory, outboxLimit: config.outbox.maxNotices)
        silences = try SilenceStore(store: store) { [logger] problem in logger.warning("\(problem)") }
        let policy = Self.policy(config)
        desk = IncidentDesk(ruleSet: loaded.ruleSet, policy: policy,
                            context: Self.context(config, ruleSet: loaded.ruleSet, host: config.host ?? options.host))
        let decoder = JSONDecoder()
        var gates: [String: StormGate] = [:]
        do {
            if let data = try store.value(Self.bookKey) {
                desk.book = try decoder.decode(IncidentBook.self, from: Data(data))
                desk.book.policy = policy
            }
            if let data = try store.value(Self.gatesKey) { gates = try decoder.decode([String: StormGate].self, from: Data(data)) }
            if let data = try store.value(Self.deployKey) { desk.deploy = try decoder.decode(DeployCorrelator.self, from: Data(data)) }
            if let data = try store.value(Self.correlationKey) {
                desk.correlator = try decoder.decode(Correlator.self, from: Data(data))
                desk.correlator.configure(for: loaded.ruleSet)
            }
        } catch let error as StateStore.Failure {
            throw error
        } catch {
            // A snapshot from another version: incidents start afresh, positions and the outbox are kept.
            logger.warning("The saved incident state could not be read; incidents start afresh.",
                           metadata: ["error": "\(error)"])
        }
        desk.router = NoticeRouter(routes: Self.routes(config), gates: gates)
        metrics = LogwatchMetrics(version: options.version, rules: loaded.ruleSet.rules.count)
        senders = Senders(store: store, logger: logger)
        var handler = Pipeline.Handler()
        handler.classified = { [unowned self] classification, now in classified(classification, now: now) }
        handler.retracted = { [unowned self] classification, _ in
            desk.retract(classification)
            bookChanged = true
        }
        handler.record = { [unowned self] record, metadata in observe(record, metadata) }
        handler.records = { [unowned self] key, count in metrics.recordRead(source: key, count: count) }
        handler.checkpoint = { [unowned self] now, final in checkpoint(now: now, final: final) }
        handler.committed = { [unowned self] now in committed(now: now) }
        handler.event = { [unowned self] event in sourceEvent(event) }
        handler.checkpointFailed = { [unowned self] error in
            logger.error("Writing the checkpoint failed; reading goes on and the next checkpoint retries.",
                         metadata: ["error": "\(error)"])
        }
        handler.heartbeat = { [unowned self] now in notifier.heartbeat(now: now) }
        var pipelineConfiguration = Pipeline.Configuration()
        pipelineConfiguration.idleTimeout = options.idleTimeout
        pipeline = try Pipeline(ruleSet: loaded.ruleSet, store: store, configuration: pipelineConfiguration, handler: handler)
    }

    /// Attaches sources, starts the listener and the senders, runs until SIGTERM; returns the
    /// process exit code.
    public func run() -> Int32 {
        let config = loaded.config
        do {
            try startHTTP(config)
        } catch {
            logger.critical("The HTTP listener could not start.", metadata: ["error": "\(error)"])
            return 2
        }
        senders.start(config.sinks)
        for source in config.sources {
            do {
                try pipeline.attach(source, fromStart: options.fromStart)
            } catch {
                logger.critical("A source could not be attached.", metadata: ["source": "\(source.type)", "error": "\(error)"])
                stopServices()
                return 2
            }
        }
        metrics.declare(sources: pipeline.sourceKeys, sinks: Self.laneNames(config))
        metrics.setRulesLoaded(loaded.ruleSet.rules.count)
        let signals = SignalHandlers(pipeline, reload: options.configPath == nil ? nil : { [weak self] in self?.reload() })
        defer { signals.cancel() }
        let status = "Watching \(pipeline.sourceKeys.count) source(s) with \(loaded.ruleSet.rules.count) rules; \(config.sinks.count) sink(s)."
        http?.readiness = .ready
        notifier.ready(status: status)
        logger.info("Started.", metadata: ["sources": "\(pipeline.sourceKeys.joined(separator: ", "))",
                                           "rules": "\(loaded.ruleSet.rules.count)", "state": "\(store.path)"])
        pipeline.run()
        options.terminal?.finish(book.incidents)
        notifier.stopping()
        logger.info("Stopping: the last checkpoint is written; delivering what is pending.")
        stopServices()
        return 0
    }

    func stopServices() {
        http?.readiness = .notReady("stopping")
        senders.stop(deadline: .now + .milliseconds(Int(options.stopDeadline * 1000)))
        http?.stop()
    }

    // MARK: Building from the config

    public static func policy(_ config: LogwatchConfig) -> IncidentBook.Policy {
        var policy = IncidentBook.Policy()
        policy.groupWait = config.policy.groupWait.seconds
        policy.groupInterval = config.policy.groupInterval.seconds
        policy.repeatInterval = config.policy.repeatInterval.seconds
        policy.resolveAfter = config.policy.resolveAfter.seconds
        return policy
    }

    public static func routes(_ config: LogwatchConfig) -> [NoticeRouter.Route] {
        config.sinks.map { sink in
            NoticeRouter.Route(sink: sink.name, format: format(sink.kind), classes: Set(sink.classes),
                               minSeverity: sink.minSeverity, perMinute: sink.maxPerMinute)
        }
    }

    static func format(_ kind: LogwatchConfig.SinkKind) -> NoticeFormat {
        switch kind {
        case .stdout: .text
        case .slack: .slack
        case .discord: .discord
        case .teams: .teams
        case .generic: .generic
        case .alertmanager: .alertmanager
        }
    }

    static func context(_ config: LogwatchConfig, ruleSet: RuleSet, host: String) -> NoticeContext {
        NoticeContext(host: host, links: EntryLinks(baseURL: config.links.baseURL), ruleSet: ruleSet,
                      alertLifetime: NoticeContext.alertLifetime(for: policy(config)))
    }

    func startHTTP(_ config: LogwatchConfig) throws {
        guard let listen = config.http.listen else { return }
        let listener = HTTPListener(configuration: .init(host: listen.host, port: listen.port), metrics: metrics,
                                    entries: EntryPages(rules: loaded.ruleSet.rules), logger: logger)
        publishConsole()
        listener.console = makeConsole(token: config.http.token)
        let port = try listener.start()
        logger.info("Serving /metrics, /healthz, /readyz, /entries/, /incidents and /api/v1/.",
                    metadata: ["listen": "\(listen.host):\(port)"])
        http = listener
    }

    /// Every name a notice can be queued or counted under: stdout sinks by name, URL sinks by lane.
    static func laneNames(_ config: LogwatchConfig) -> [String] {
        config.sinks.flatMap { $0.kind.needsURL ? $0.lanes.map(\.name) : [$0.name] }
    }
}
