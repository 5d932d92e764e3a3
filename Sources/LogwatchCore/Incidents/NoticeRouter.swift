/// Sends each notice to the sinks whose route takes it: keeps the incidents of the classes and
/// severities a sink wants, passes chat sinks through their own storm gate, and renders the
/// payload in the sink's format. Pure: time and the outbox's dropped counts are inputs.
public struct NoticeRouter: Sendable {
    public struct Route: Sendable, Equatable {
        public var sink: String
        public var format: NoticeFormat
        public var classes: Set<IncidentClass>
        public var minSeverity: Severity
        /// Storm control: notices per minute (0: unlimited). Ignored for formats that do their own.
        public var perMinute: Int

        public init(sink: String, format: NoticeFormat, classes: Set<IncidentClass> = Set(IncidentClass.reported),
                    minSeverity: Severity = .info, perMinute: Int = 10) {
            self.sink = sink
            self.format = format
            self.classes = classes
            self.minSeverity = minSeverity
            self.perMinute = perMinute
        }

        func takes(_ incident: Incident) -> Bool {
            classes.contains(incident.ruleClass) && incident.severity >= minSeverity
        }
    }

    /// One rendered notice for one sink.
    public struct Output: Sendable {
        public var sink: String
        public var notice: Notice
        public var payload: Payload
    }

    public private(set) var routes: [Route]
    /// Storm gates by sink name (kept across reloads for sinks that stay).
    public private(set) var gates: [String: StormGate]

    public init(routes: [Route], gates: [String: StormGate] = [:]) {
        self.routes = routes
        self.gates = [:]
        for route in routes where route.format.wantsStormControl && route.perMinute > 0 {
            var gate = gates[route.sink] ?? StormGate(perMinute: route.perMinute)
            gate.perMinute = route.perMinute
            self.gates[route.sink] = gate
        }
    }

    /// Renders what each sink should get for `notices`, plus any storm summary now due.
    /// `dropped(sink)` tells how many of that sink's notices the outbox dropped since the last
    /// one, so the next notice can say so.
    public mutating func route(_ notices: [Notice], at now: Double, context: NoticeContext,
                               dropped: (String) -> Int = { _ in 0 }) -> [Output] {
        var outputs: [Output] = []
        // No dead links: a base URL on this machine (the listener's default) is only for the
        // terminal; remote readers get the quick fix inline and `logwatch explain ID` instead.
        var remote = context
        remote.links = context.links.forRemoteReaders
        for route in routes {
            var admitted: [Notice] = []
            if var gate = gates[route.sink], let summary = gate.flush(at: now) {
                admitted.append(summary)
                gates[route.sink] = gate
            }
            for notice in notices {
                var mine = notice
                // A suppressed summary belongs to the gate of the sink that made it; the book's
                // notices are filtered to what this sink's route takes.
                mine.items = notice.items.filter { route.takes($0.incident) }
                guard !mine.items.isEmpty else { continue }
                if var gate = gates[route.sink] {
                    admitted += gate.admit(mine, at: now)
                    gates[route.sink] = gate
                } else {
                    admitted.append(mine)
                }
            }
            guard !admitted.isEmpty else { continue }
            let lost = dropped(route.sink)
            for (index, var notice) in admitted.enumerated() {
                if index == 0 { notice.dropped += lost }
                outputs.append(Output(sink: route.sink, notice: notice, payload: route.format.render(notice, context: route.format.isReadRemotely ? remote : context)))
            }
        }
        return outputs
    }

    /// When a held storm summary can next go out, if any is held.
    public func nextDeadline() -> Double? {
        gates.values.compactMap { $0.nextDeadline() }.min()
    }
}
