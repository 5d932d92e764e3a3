/// Where and when a record of an incident was seen.
public struct Sighting: Sendable, Equatable, Codable {
    public var source: String
    public var line: Int
    /// The producer's timestamp text, when the record had one.
    public var timestamp: String?
    /// The time logwatch saw it (seconds since 1970), given by the caller.
    public var time: Double
}

/// Records with the same rule and fingerprint values: one problem, counted.
///
/// Codable because the state store persists the incident book across restarts and reloads.
public struct Incident: Sendable, Codable {
    /// open: seen, not yet reported or reported with no news; updated: records arrived after a
    /// notice; resolved: quiet for the policy's `resolveAfter` (the book forgets it after the
    /// resolve notice).
    public enum State: String, Sendable, Codable {
        case open, updated, resolved
    }

    /// Stable id: a hash of the rule and fingerprint values (never request ids).
    public var id: String
    public var ruleID: String
    public var ruleClass: IncidentClass
    public var severity: Severity
    public var title: String
    public var origin: Origin?
    /// Fields of the first record (redacted).
    public var fields: [String: String]
    public var fingerprint: [String: String]
    public var count: Int
    public var first: Sighting
    public var last: Sighting
    /// The first record's text, redacted and cut to a readable size.
    public var sample: String
    public var template: String?
    /// Set when the incident opened shortly after a watched unit started or stopped:
    /// "began 40 s after litellm.service restarted at 12:03:11 UTC".
    public var deployContext: String?
    /// Records per signature (rule id), the incident's own rule included: "uvicorn-access-401: 2"
    /// for the access lines its failures left. Only the own rule's records count in `count`.
    public var signatures: [String: Int] = [:]
    /// A few records of other signatures that joined it (evidence and consequences), first of each.
    public var evidence: [Evidence] = []
    /// Debug-level repeats of its records (LiteLLM logs some errors at DEBUG and at ERROR): one
    /// record's worth, so not in `count`.
    public var repeats = 0
    /// The level of its last own record, to tell a debug repeat from a new failure.
    public var lastLevel: String?
    /// How many records the last terminal update showed, and when (`markNoticed`, `dueUpdates`).
    public var countAtLastNotice: Int = 0
    public var lastNoticeTime: Double?

    // Notice policy bookkeeping (`IncidentBook.advance(to:)`), kept apart from the terminal's.
    public var state: State = .open
    /// The group it is batched with (by class, rule or incident, as the policy says).
    public var group: String = ""
    /// When its firing notice went out; nil while it waits for `groupWait`.
    public var announcedAt: Double?
    /// The count the last notice covering it reported, and when that notice went out.
    public var reportedCount: Int = 0
    public var lastReportAt: Double?
    /// When the last full notice (firing or reminder) covering it went out.
    public var lastFullNoticeAt: Double?
    /// When it was resolved (the time of its resolve notice).
    public var resolvedAt: Double?

    /// Seconds from the first to the last record.
    public var duration: Double { max(0, last.time - first.time) }
}

/// A record of another signature that joined an incident, as shown under "also seen".
public struct Evidence: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        /// The same failure in another wording (router and proxy lines, `Received Model Group=`).
        case form
        /// The failure seen again elsewhere: the access line its request left.
        case evidence
        /// Something the failure caused: a router cooldown, a DB outage's follow-up errors.
        case consequence
        /// A debug-level copy of a record already counted.
        case `repeat`
    }

    public var ruleID: String
    public var role: Role
    public var sighting: Sighting
    /// The record's first line, redacted and cut short.
    public var text: String
}

extension Incident {
    /// Signatures other than its own rule, most frequent first: "uvicorn-access-401 ×2".
    public var alsoSeen: [(ruleID: String, count: Int)] {
        signatures.filter { $0.key != ruleID }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { (ruleID: $0.key, count: $0.value) }
    }

    /// "uvicorn-access-401 ×2, router-no-deployments-cooldown ×1", or nil when nothing else joined.
    public var alsoSeenText: String? {
        let seen = alsoSeen
        return seen.isEmpty ? nil : seen.map { "\($0.ruleID) ×\($0.count)" }.joined(separator: ", ")
    }
}

/// Links from notices to the rendered troubleshooting entries.
public struct EntryLinks: Sendable {
    public var baseURL: String?

    public init(baseURL: String? = nil) {
        var base = baseURL
        while base?.hasSuffix("/") == true { base?.removeLast() }
        self.baseURL = base?.isEmpty == true ? nil : base
    }

    public func link(ruleClass: IncidentClass, id: String) -> String? {
        guard let baseURL, ruleClass != .unknown else { return nil }
        return "\(baseURL)/\(ruleClass.rawValue)/\(id).html"
    }

    public static func explainCommand(_ id: String) -> String { "logwatch explain \(id)" }

    /// Whether the base URL points at this machine (loopback or `localhost`): the default, the
    /// listener's own `/entries`. Readers of a chat channel or Alertmanager are elsewhere, so such
    /// a link would be dead for them.
    public var isLocal: Bool {
        guard let baseURL, let parts = URLParts(baseURL) else { return false }
        let host = parts.host.lowercased()
        return host == "localhost" || host.hasPrefix("127.") || host == "[::1]" || host.hasSuffix(".localhost")
    }

    /// These links for readers elsewhere: none when they would point at this machine.
    public var forRemoteReaders: EntryLinks { isLocal ? EntryLinks() : self }
}
