/// One message the incident book (or storm control) decided to send: what happened, to which
/// incidents, and when. Renderers turn it into each sink's payload; the outbox stores it.
public struct Notice: Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// New incidents, after `groupWait`.
        case firing
        /// New counts for incidents already reported, at most every `groupInterval`.
        case digest
        /// A full re-post of incidents still firing, every `repeatInterval`.
        case reminder
        /// Incidents quiet for `resolveAfter`: total counts and durations.
        case resolved
        /// Storm control held notices back; `suppressed` incidents were folded into this one.
        case suppressed
    }

    /// One incident as it stood when the notice was made, and how many records are new since
    /// the previous notice that covered it.
    public struct Item: Sendable, Codable {
        public var incident: Incident
        public var newCount: Int

        public init(incident: Incident, newCount: Int) {
            self.incident = incident
            self.newCount = newCount
        }
    }

    /// Stable for the same content: a retried or replayed notice keeps its id (receivers and
    /// the outbox can deduplicate by it).
    public var id: String
    public var kind: Kind
    /// When the notice was made (seconds since 1970, from the caller's clock).
    public var time: Double
    /// The group key the incidents share (a class name by default).
    public var group: String
    public var items: [Item]
    /// For `suppressed`: how many incidents storm control held back (`items` shows a few).
    public var suppressed: Int
    /// Incidents dropped from memory by the book's cap since the previous notice.
    public var evicted: Int
    /// Notices the outbox dropped when full since the previous notice (set by the outbox).
    public var dropped: Int
    /// For `suppressed`: the held notices by kind (`digest`, `reminder`), so the fold says what
    /// it folded.
    public var folded: [String: Int]

    public init(kind: Kind, time: Double, group: String, items: [Item], suppressed: Int = 0, evicted: Int = 0,
                dropped: Int = 0, folded: [String: Int] = [:]) {
        self.folded = folded
        self.kind = kind
        self.time = time
        self.group = group
        self.items = items
        self.suppressed = suppressed
        self.evicted = evicted
        self.dropped = dropped
        let identity = ([kind.rawValue, group, String(time), String(suppressed)]
                        + items.map { "\($0.incident.id):\($0.incident.count)" }).joined(separator: "|")
        id = "n-" + UnknownTemplate.hex(UnknownTemplate.fnv1a(identity), digits: 16)
    }

    public var incidents: [Incident] { items.map(\.incident) }
    /// Records new since the previous notices, over all incidents.
    public var newCount: Int { items.reduce(0) { $0 + $1.newCount } }
    /// The most severe incident's severity (info for an empty notice).
    public var severity: Severity { items.map(\.incident.severity).max() ?? .info }
}
