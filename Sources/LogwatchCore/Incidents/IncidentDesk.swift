/// The one path from a classified record to what a person is told, for every mode (`--follow`
/// with or without `--webhook`, `run`, `test`, `scan`'s summary): correlation (one failure, one
/// incident), deploy context, the incident book and the notice router. Pure: time comes in with
/// each call; the caller owns threads, files and clocks.
public struct IncidentDesk: Sendable {
    /// What happened to one record.
    public struct Outcome: Sendable {
        /// The incident it counted in or joined, after the change.
        public var incident: Incident
        /// It opened this incident.
        public var isNew: Bool
        /// How it joined another incident; nil for a record of the incident's own signature.
        public var role: Evidence.Role?
    }

    public var book: IncidentBook
    public var correlator: Correlator
    public var deploy: DeployCorrelator
    public var router: NoticeRouter
    public var context: NoticeContext

    public init(ruleSet: RuleSet, policy: IncidentBook.Policy = IncidentBook.Policy(), redactor: Redactor = Redactor(),
                routes: [NoticeRouter.Route] = [], context: NoticeContext? = nil) {
        book = IncidentBook(policy: policy, redactor: redactor)
        correlator = Correlator(ruleSet: ruleSet)
        deploy = DeployCorrelator()
        router = NoticeRouter(routes: routes)
        self.context = context ?? NoticeContext(host: "", ruleSet: ruleSet, redactor: redactor)
    }

    /// Takes one classified record seen at `time`; `eventTime` is when its source says it was
    /// written (a journal timestamp), for deploy correlation over a backlog.
    @discardableResult
    public mutating func take(_ classification: Classification, time: Double, eventTime: Double? = nil) -> Outcome {
        if case .join(let id, let role) = correlator.place(classification, time: time, book: book),
           let incident = book.attach(classification, to: id, role: role, time: time) {
            correlator.touch(id)
            placed(classification.record, id: id, role: role)
            return Outcome(incident: incident, isNew: false, role: role)
        }
        let added = book.add(classification, time: time)
        var incident = added.incident
        let isNew = added.isNew
        if isNew, let deployContext = deploy.context(at: eventTime ?? time) {
            book.annotate(incident.id, deployContext: deployContext)
            incident.deployContext = deployContext
        }
        correlator.touch(incident.id)
        placed(classification.record, id: incident.id, role: nil)
        return Outcome(incident: incident, isNew: isNew, role: nil)
    }

    /// Takes back a record the framer handed on early and then replaced (its final form reads
    /// differently): undoes what `take` did with it.
    public mutating func retract(_ classification: Classification) {
        let key = Self.placementKey(classification.record)
        guard let placement = placements[key] else {
            book.retract(classification)
            return
        }
        placements[key] = nil
        if let role = placement.role {
            book.retract(classification, from: placement.id, role: role)
        } else {
            book.retract(classification)
        }
    }

    /// Where the last records went, by source and line, so a retraction finds them (bounded:
    /// only records still open in a framer can be retracted).
    private var placements: [String: (id: String, role: Evidence.Role?)] = [:]
    private var placementOrder: [String] = []

    private static func placementKey(_ record: LogRecord) -> String { "\(record.source)\u{1F}\(record.line)" }

    private mutating func placed(_ record: LogRecord, id: String, role: Evidence.Role?) {
        let key = Self.placementKey(record)
        if placements.updateValue((id, role), forKey: key) == nil { placementOrder.append(key) }
        if placementOrder.count > 1_024 {
            for old in placementOrder.prefix(512) { placements[old] = nil }
            placementOrder.removeFirst(512)
        }
    }

    /// A watched unit started, stopped or failed (journal sources).
    public mutating func observe(_ event: UnitEvent) { deploy.observe(event) }

    /// The notices due at `now` and what each sink should get for them. `dropped(sink)` tells how
    /// many of that sink's notices the outbox dropped since the last one.
    public mutating func advance(to now: Double, dropped: (String) -> Int = { _ in 0 })
        -> (notices: [Notice], outputs: [NoticeRouter.Output]) {
        let notices = book.advance(to: now)
        return (notices, router.route(notices, at: now, context: context, dropped: dropped))
    }

    /// When `advance` next has something to do, if anything is pending.
    public func nextDeadline() -> Double? {
        [book.nextDeadline(), router.nextDeadline()].compactMap { $0 }.min()
    }
}
