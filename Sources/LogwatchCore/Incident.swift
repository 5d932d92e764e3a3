/// Where and when a record of an incident was seen.
public struct Sighting: Sendable, Equatable {
    public var source: String
    public var line: Int
    /// The producer's timestamp text, when the record had one.
    public var timestamp: String?
    /// The time logwatch saw it (seconds since 1970), given by the caller.
    public var time: Double
}

/// Records with the same rule and fingerprint values: one problem, counted.
public struct Incident: Sendable {
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
    /// How many records the last notice reported, and when it went out.
    public var countAtLastNotice: Int = 0
    public var lastNoticeTime: Double?
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
