/// What every renderer needs besides the notice: where it runs, where entries live, the
/// entries themselves, and the redactor every string passes through on its way out.
public struct NoticeContext: Sendable {
    /// The host name shown in notices and used as the `host` label.
    public var host: String
    public var links: EntryLinks
    /// Troubleshooting entries by rule id.
    public var entries: [String: Entry]
    public var redactor: Redactor
    /// Alertmanager: how long a firing alert stays valid without a re-post (its `endsAt` is the
    /// notice time plus this). Set it above the policy's `groupInterval + resolveAfter`, so an
    /// incident still firing is re-posted before it lapses and a dead logwatch lets it lapse.
    public var alertLifetime: Double

    public init(host: String, links: EntryLinks = EntryLinks(), entries: [String: Entry] = [:],
                redactor: Redactor = Redactor(), alertLifetime: Double = 1_800) {
        self.host = host
        self.links = links
        self.entries = entries
        self.redactor = redactor
        self.alertLifetime = alertLifetime
    }

    /// The entries of every rule in a rule set.
    public init(host: String, links: EntryLinks = EntryLinks(), ruleSet: RuleSet, redactor: Redactor = Redactor(),
                alertLifetime: Double = 1_800) {
        var entries: [String: Entry] = [:]
        for rule in ruleSet.rules { entries[rule.id] = rule.entry }
        self.init(host: host, links: links, entries: entries, redactor: redactor, alertLifetime: alertLifetime)
    }

    /// The lifetime that suits a policy: a digest or resolve is due within
    /// `groupInterval + resolveAfter` of any notice, plus a margin for a busy machine.
    public static func alertLifetime(for policy: IncidentBook.Policy) -> Double {
        2 * (policy.groupInterval + policy.resolveAfter)
    }

    public func entry(for incident: Incident) -> Entry? { entries[incident.ruleID] }

    /// The rendered entry's URL, when a base URL is configured and the incident has a rule.
    public func link(for incident: Incident) -> String? {
        links.link(ruleClass: incident.ruleClass, id: incident.ruleID)
    }

    /// Every string from logs leaves through here.
    public func safe(_ text: String) -> String { redactor.redact(text) }

    public func safe(_ text: String, limit: Int) -> String { redactor.redact(text).clipped(to: limit) }

    /// The catalogue's own words (an entry's summary, causes and quick fix): never redacted. A
    /// placeholder such as `postgresql://llmproxy:<password>@db` is an instruction, and masking it
    /// (`****ord>`) would break the fix it shows. Only text from logs is redacted.
    public func trusted(_ text: String) -> String { text }

    public func trusted(_ text: String, limit: Int) -> String { text.clipped(to: limit) }

    /// Text that mixes log text with the catalogue's words (a whole notice block): redacted
    /// except where it holds one of `trusted` (an entry's lines) verbatim.
    public func safe(_ text: String, keeping trusted: [String]) -> String {
        let kept = trusted.filter { $0.utf8.count >= 4 }.sorted { $0.utf8.count > $1.utf8.count }.map { Array($0.utf8) }
        guard !kept.isEmpty else { return safe(text) }
        let bytes = Array(text.utf8)
        var out = ""
        var plainStart = 0, i = 0
        while i < bytes.count {
            if let match = kept.first(where: { Self.occurs($0, in: bytes, at: i) }) {
                out += redactor.redact(String(decoding: bytes[plainStart..<i], as: UTF8.self))
                out += String(decoding: match, as: UTF8.self)
                i += match.count
                plainStart = i
            } else {
                i += 1
            }
        }
        out += redactor.redact(String(decoding: bytes[plainStart...], as: UTF8.self))
        return out
    }

    public func safe(_ text: String, limit: Int, keeping trusted: [String]) -> String {
        safe(text, keeping: trusted).clipped(to: limit)
    }

    /// An entry's words as the renderers lay them out: the summary, each cause and each line of
    /// the quick fix.
    public func trustedTexts(_ incidents: [Incident]) -> [String] {
        incidents.compactMap(entry(for:)).flatMap { entry in
            [entry.summary, entry.quickFix] + entry.causes
                + entry.quickFix.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
    }

    private static func occurs(_ needle: [UInt8], in haystack: [UInt8], at index: Int) -> Bool {
        guard index + needle.count <= haystack.count, haystack[index] == needle[0] else { return false }
        for k in 1..<needle.count where haystack[index + k] != needle[k] { return false }
        return true
    }
}
