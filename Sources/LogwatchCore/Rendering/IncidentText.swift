/// Human text for incidents, as the terminal and `scan` show them: a compact block per incident
/// by default (what broke, how often, the first line of the fix), the full entry when verbose.
/// With a `width`, every line fits it (compact lines are cut, verbose prose is wrapped).
public struct IncidentText: Sendable {
    public var style: TextStyle
    public var links: EntryLinks
    /// How many lines of the sample to show.
    public var sampleLines = 6
    /// Columns to fit; nil: lines as long as they are.
    public var width: Int?

    public init(style: TextStyle = .plain, links: EntryLinks = EntryLinks(), width: Int? = nil) {
        self.style = style
        self.links = links
        self.width = width.map { max($0, 40) }
    }

    /// The head line both forms share: `[class] title  (rule-id, N records)`.
    func head(_ incident: Incident, verb: String?) -> String {
        let tag = "[\(incident.ruleClass.rawValue)]"
        let count = incident.count == 1 ? "1 record" : "\(incident.count) records"
        let meta = "  (\(incident.ruleID), " + (verb.map { $0 + ", " } ?? "") + count + ")"
        var title = incident.title
        if let width, tag.count + 1 + title.count + meta.count > width {
            let room = width - tag.count - 1 - meta.count
            // A long rule id leaves too little room: the meta goes on a line of its own.
            guard room >= 16 else {
                return style.severity(tag, incident.severity) + " " + style.bold(fit(title, width - tag.count - 1)) + "\n"
                    + style.dim(fit(" " + meta))
            }
            title = fit(title, room)
        }
        return style.severity(tag, incident.severity) + " " + style.bold(title) + style.dim(meta)
    }

    /// One compact block: head, where, key fields, what else the failure logged, the quick fix's
    /// first line and where the full entry is.
    public func compact(_ incident: Incident, entry: Entry?) -> String {
        var lines = [head(incident, verb: nil)]
        lines.append(fit("  " + span(incident)))
        if let deployContext = incident.deployContext { lines.append(fit("  deploy: \(deployContext)")) }
        let shown = keyFields(incident)
        if !shown.isEmpty { lines.append(fit("  " + shown)) }
        if let also = incident.alsoSeenText { lines.append(fit("  also seen: " + also)) }
        if let entry {
            let fix = entry.quickFix.split(separator: "\n").map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
            if let first = fix.first {
                lines.append(fit("  fix: " + first + (fix.count > 1 ? " … (\(fix.count - 1) more lines)" : "")))
            }
            lines.append(fit("  more: " + pointer(incident)))
        } else if let template = incident.template {
            lines.append(fit("  template: \(template)"))
        }
        return lines.joined(separator: "\n")
    }

    /// The full block: header, where, fields, sample, evidence, and the entry's summary, causes and fix.
    public func render(_ incident: Incident, entry: Entry?, update: Bool = false) -> String {
        var lines: [String] = []
        lines.append(head(incident, verb: update ? "still happening" : "new"))
        lines += wrap("  first: \(where_(incident.first))" + (incident.count > 1 ? "   last: \(where_(incident.last))" : ""))
        if let deployContext = incident.deployContext {
            lines += wrap("  deploy: \(deployContext)")
        }
        if let origin = incident.origin {
            lines += wrap("  origin: \(origin.phrase)")
        }
        let shown = incident.fields.filter { $0.key != "request_id" && !$0.value.isEmpty }
        if !shown.isEmpty {
            lines += wrap("  fields: " + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        if let also = incident.alsoSeenText { lines += wrap("  also seen: " + also) }
        if update { return lines.joined(separator: "\n") }
        let sample = incident.sample.split(separator: "\n", omittingEmptySubsequences: false)
        lines.append("  sample:")
        for line in sample.prefix(sampleLines) { lines.append(fit("    │ " + clip(String(line), 200))) }
        if sample.count > sampleLines { lines.append("    │ … \(sample.count - sampleLines) more lines") }
        for evidence in incident.evidence {
            lines.append(fit("  \(evidence.role.rawValue): \(evidence.ruleID) at \(where_(evidence.sighting))"))
            lines.append(fit("    │ " + clip(evidence.text, 200)))
        }
        if let entry {
            lines += wrap("  what it means: " + entry.summary)
            if !entry.causes.isEmpty {
                lines.append("  likely causes:")
                for (i, cause) in entry.causes.prefix(3).enumerated() { lines += wrap("    \(i + 1). \(cause)", indent: 7) }
            }
            lines.append("  quick fix:")
            for line in entry.quickFix.split(separator: "\n", omittingEmptySubsequences: false) { lines.append(fit("    " + line)) }
            lines += wrap("  full entry: " + pointer(incident))
        } else if let template = incident.template {
            lines += wrap("  template: \(template)")
            lines += wrap("  no rule knows this error yet; it is grouped by its template (\(incident.fingerprint["template_id"] ?? "")).")
        }
        return lines.joined(separator: "\n")
    }

    /// "3 records from file:28 (09:00:05) to file:79 (09:00:40)".
    func span(_ incident: Incident) -> String {
        var text = "at \(where_(incident.first))"
        if incident.count > 1 { text += " … \(where_(incident.last))" }
        return text
    }

    /// The fields that tell incidents apart first, then the rest; never per-request ids.
    func keyFields(_ incident: Incident) -> String {
        let values = incident.fields.filter { $0.key != "request_id" && !$0.value.isEmpty }
        let first = incident.fingerprint.keys.sorted().filter { values[$0] != nil }
        let rest = values.keys.sorted().filter { incident.fingerprint[$0] == nil }
        return (first + rest).map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }

    func pointer(_ incident: Incident) -> String {
        links.link(ruleClass: incident.ruleClass, id: incident.ruleID) ?? EntryLinks.explainCommand(incident.ruleID)
    }

    /// Cuts a line to the width (or to `limit`).
    func fit(_ line: String, _ limit: Int? = nil) -> String {
        guard let width = limit ?? width, line.count > width else { return line }
        return String(line.prefix(max(0, width - 1))) + "…"
    }

    /// Wraps prose to the width at spaces, continuing under the text after the label.
    func wrap(_ line: String, indent: Int? = nil) -> [String] {
        guard let width, line.count > width else { return [line] }
        let leading = line.prefix { $0 == " " }.count
        let hang = String(repeating: " ", count: min(indent ?? (leading + 2), width / 2))
        var lines: [String] = []
        var current = ""
        for word in line.dropFirst(leading).split(separator: " ", omittingEmptySubsequences: false) {
            let prefix = lines.isEmpty && current.isEmpty ? String(repeating: " ", count: leading) : (current.isEmpty ? hang : "")
            let candidate = current.isEmpty ? prefix + word : current + " " + word
            if candidate.count > width && !current.isEmpty {
                lines.append(current)
                current = fit(hang + word)
            } else {
                current = candidate.count > width ? fit(candidate) : candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// One line for a count update in follow mode.
    public func updateLine(_ incident: Incident) -> String {
        let tag = "[\(incident.ruleClass.rawValue)]"
        let rest = "  (\(incident.ruleID)) now \(incident.count) records, last at \(where_(incident.last))"
        var title = incident.title
        if let width, tag.count + 1 + title.count + rest.count > width {
            let room = max(20, width - tag.count - 1 - rest.count)
            if title.count > room { title = String(title.prefix(room - 1)) + "…" }
        }
        return style.severity(tag, incident.severity) + " \(title)" + style.dim(rest)
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
    /// Without a line count (a follower that stops), it counts records only.
    public func summary(_ incidents: [Incident], lines count: Int?, truncated: Int) -> String {
        var lines: [String] = []
        // Every matched record: each incident's own, and what joined it (access lines,
        // consequences, debug copies), under the rule that matched it.
        func records(_ incident: Incident) -> Int { incident.signatures.values.reduce(incident.repeats, +) }
        let matched = incidents.reduce(0) { $0 + records($1) }
        let read = count.map { "\($0) lines, \(matched) matched" } ?? NoticeWording.plural(matched, "record")
        lines.append(style.bold("Summary") + ": \(read) in \(NoticeWording.plural(incidents.count, "incident"))"
                     + (truncated > 0 ? ", \(truncated) lines truncated" : ""))
        for cls in IncidentClass.reported {
            let group = incidents.filter { $0.ruleClass == cls }
            guard !group.isEmpty else { continue }
            let count = group.reduce(0) { $0 + records($1) }
            lines.append("  \(cls.rawValue.padding(8)) \(String(count).leftPadding(6)) records  \(String(group.count).leftPadding(4)) incidents")
            var byRule: [String: Int] = [:]
            for incident in group {
                for (rule, count) in incident.signatures { byRule[rule, default: 0] += count }
                if incident.repeats > 0 { byRule[incident.ruleID, default: 0] += incident.repeats }
            }
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
