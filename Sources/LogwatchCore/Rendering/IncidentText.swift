/// Human text for incidents, as the terminal and `scan` show them.
public struct IncidentText: Sendable {
    public var style: TextStyle
    public var links: EntryLinks
    /// How many lines of the sample to show.
    public var sampleLines = 6

    public init(style: TextStyle = .plain, links: EntryLinks = EntryLinks()) {
        self.style = style
        self.links = links
    }

    /// The full block: header, where, fields, sample, and the entry's summary, causes and fix.
    public func render(_ incident: Incident, entry: Entry?, update: Bool = false) -> String {
        var lines: [String] = []
        let tag = "[\(incident.ruleClass.rawValue)]"
        let count = incident.count == 1 ? "1 record" : "\(incident.count) records"
        let verb = update ? "still happening" : "new"
        lines.append(style.severity(tag, incident.severity) + " " + style.bold(incident.title)
                     + style.dim("  (\(incident.ruleID), \(verb), \(count))"))
        lines.append("  first: \(where_(incident.first))" + (incident.count > 1 ? "   last: \(where_(incident.last))" : ""))
        if let deployContext = incident.deployContext {
            lines.append("  deploy: \(deployContext)")
        }
        if let origin = incident.origin {
            lines.append("  origin: \(origin.phrase)")
        }
        let shown = incident.fields.filter { $0.key != "request_id" && !$0.value.isEmpty }
        if !shown.isEmpty {
            lines.append("  fields: " + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        if update { return lines.joined(separator: "\n") }
        let sample = incident.sample.split(separator: "\n", omittingEmptySubsequences: false)
        lines.append("  sample:")
        for line in sample.prefix(sampleLines) { lines.append("    │ " + clip(String(line), 200)) }
        if sample.count > sampleLines { lines.append("    │ … \(sample.count - sampleLines) more lines") }
        if let entry {
            lines.append("  what it means: " + entry.summary)
            if !entry.causes.isEmpty {
                lines.append("  likely causes:")
                for (i, cause) in entry.causes.prefix(3).enumerated() { lines.append("    \(i + 1). \(cause)") }
            }
            lines.append("  quick fix:")
            for line in entry.quickFix.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("    " + line) }
            if let link = links.link(ruleClass: incident.ruleClass, id: incident.ruleID) {
                lines.append("  full entry: \(link)")
            } else {
                lines.append("  full entry: \(EntryLinks.explainCommand(incident.ruleID))")
            }
        } else if let template = incident.template {
            lines.append("  template: \(template)")
            lines.append("  no rule knows this error yet; it is grouped by its template (\(incident.fingerprint["template_id"] ?? "")).")
        }
        return lines.joined(separator: "\n")
    }

    /// One line for a count update in follow mode.
    public func updateLine(_ incident: Incident) -> String {
        style.severity("[\(incident.ruleClass.rawValue)]", incident.severity) + " \(incident.title)"
            + style.dim("  (\(incident.ruleID)) now \(incident.count) records, last at \(where_(incident.last))")
    }

    func where_(_ sighting: Sighting) -> String {
        var text = "\(sighting.source):\(sighting.line)"
        if let timestamp = sighting.timestamp { text += " (\(timestamp))" }
        return text
    }

    func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + " …" : text
    }

    /// The closing summary of a scan: records and incidents by class, then by rule.
    public func summary(_ incidents: [Incident], lines count: Int, truncated: Int) -> String {
        var lines: [String] = []
        let matched = incidents.reduce(0) { $0 + $1.count }
        lines.append(style.bold("Summary") + ": \(count) lines, \(matched) matched in \(incidents.count) incidents"
                     + (truncated > 0 ? ", \(truncated) lines truncated" : ""))
        for cls in IncidentClass.reported {
            let group = incidents.filter { $0.ruleClass == cls }
            guard !group.isEmpty else { continue }
            let count = group.reduce(0) { $0 + $1.count }
            lines.append("  \(cls.rawValue.padding(8)) \(String(count).leftPadding(6)) records  \(String(group.count).leftPadding(4)) incidents")
            var byRule: [String: Int] = [:]
            for incident in group { byRule[incident.ruleID, default: 0] += incident.count }
            for (rule, count) in byRule.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("    \(rule.padding(44)) \(String(count).leftPadding(6))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters (for aligned terminal columns).
    public func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    public func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
