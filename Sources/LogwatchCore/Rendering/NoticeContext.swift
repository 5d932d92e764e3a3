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

    /// Every string leaves through here.
    public func safe(_ text: String) -> String { redactor.redact(text) }

    public func safe(_ text: String, limit: Int) -> String { redactor.redact(text).clipped(to: limit) }
}
