/// What is open now, and what resolved lately, as the operator's console shows it:
/// `GET /api/v1/incidents`, the `/incidents` page and `logwatch status`.
///
/// A plain value copied out of the incident book at a checkpoint, so the HTTP side never
/// touches the book (which lives on the pipeline's thread), and the console does not depend on
/// how the book is organised inside. Everything in it is already redacted.
public struct IncidentSnapshot: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        /// The incident id (`fingerprint=` in a silence matcher): the same on every host.
        public var id: String
        public var rule: String
        public var ruleClass: IncidentClass
        public var severity: Severity
        public var title: String
        /// open (not yet reported or no news), updated (news since the last notice), resolved.
        public var state: String
        public var count: Int
        public var firstSeen: Double
        public var lastSeen: Double
        /// Where the last record was read (`file:/var/log/litellm.log:120`).
        public var lastSource: String
        public var fields: [String: String]
        /// Redacted record texts that show the problem (the first record today).
        public var evidence: [String]
        public var host: String
        public var resolvedAt: Double?
        /// The active silence that holds back its notices, if any.
        public var silence: String?
        /// The troubleshooting entry's URL, when links are configured.
        public var entry: String?

        enum CodingKeys: String, CodingKey {
            case id, rule, ruleClass = "class", severity, title, state, count, firstSeen = "first_seen",
                 lastSeen = "last_seen", lastSource = "last_source", fields, evidence, host,
                 resolvedAt = "resolved_at", silence, entry
        }

        public init(_ incident: Incident, host: String, silence: String?, entry: String?) {
            id = incident.id
            rule = incident.ruleID
            ruleClass = incident.ruleClass
            severity = incident.severity
            title = incident.title
            state = incident.state.rawValue
            count = incident.count
            firstSeen = incident.first.time
            lastSeen = incident.last.time
            lastSource = "\(incident.last.source):\(incident.last.line)"
            fields = incident.fields.filter { $0.key != "request_id" && !$0.value.isEmpty }
            evidence = [incident.sample]
            self.host = host
            resolvedAt = incident.resolvedAt
            self.silence = silence
            self.entry = entry
        }
    }

    public var host: String
    /// When the snapshot was taken (seconds since 1970).
    public var generatedAt: Double
    /// Open incidents first (most recent activity first), then the recently resolved.
    public var incidents: [Row]
    public var silences: [Silence]

    enum CodingKeys: String, CodingKey {
        case host, generatedAt = "generated_at", incidents, silences
    }

    public init(host: String, generatedAt: Double, incidents: [Row], silences: [Silence]) {
        self.host = host
        self.generatedAt = generatedAt
        self.incidents = incidents
        self.silences = silences
    }

    /// The console's view of `open` (the book's incidents) and `resolved` (kept by the caller
    /// for a while after their resolve notice), with the silences active at `now`.
    public init(host: String, now: Double, open: [Incident], resolved: [Incident], silences: [Silence],
                links: EntryLinks = EntryLinks()) {
        let active = silences.filter { $0.isActive(at: now) }
        func row(_ incident: Incident) -> Row {
            Row(incident, host: host, silence: Silence.silencing(incident, among: active, at: now)?.id,
                entry: links.link(ruleClass: incident.ruleClass, id: incident.ruleID))
        }
        let openRows = open.sorted { ($0.last.time, $0.id) > ($1.last.time, $1.id) }.map(row)
        let resolvedRows = resolved.sorted { ($0.resolvedAt ?? 0, $0.id) > ($1.resolvedAt ?? 0, $1.id) }.map(row)
        self.init(host: host, generatedAt: now, incidents: openRows + resolvedRows, silences: active)
    }

    public var open: [Row] { incidents.filter { $0.state != Incident.State.resolved.rawValue } }
    public var resolved: [Row] { incidents.filter { $0.state == Incident.State.resolved.rawValue } }
}
