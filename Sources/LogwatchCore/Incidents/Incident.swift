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
}
