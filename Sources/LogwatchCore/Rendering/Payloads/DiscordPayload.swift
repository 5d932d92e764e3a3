/// A Discord webhook message with one embed per incident, coloured by severity. Discord
/// rejects a message over its limits, so everything is cut to fit: title 256, description 4096,
/// at most 25 fields (name 256, value 1024), footer 2048, 6000 characters over all embeds, at
/// most 10 embeds, content 2000. Mentions are disabled: log text must never ping anyone.
public struct DiscordPayload: Sendable {
    public enum Limit {
        public static let title = 256
        public static let description = 4_096
        public static let fields = 25
        public static let fieldName = 256
        public static let fieldValue = 1_024
        public static let footer = 2_048
        public static let total = 6_000
        public static let embeds = 10
        public static let content = 2_000
    }

    public var context: NoticeContext
    public var sampleLines = 20

    public init(context: NoticeContext) {
        self.context = context
    }

    public func render(_ notice: Notice) -> Payload { .json(value(notice)) }

    public func value(_ notice: Notice) -> JSONWriter.Value {
        var embeds: [JSONWriter.Value] = []
        var hidden = 0
        switch notice.kind {
        case .firing, .reminder:
            let shown = notice.items.prefix(Limit.embeds)
            hidden = notice.items.count - shown.count
            let budget = Limit.total / max(1, shown.count)
            embeds = shown.map { full($0, notice: notice, budget: budget) }
        case .digest, .resolved, .suppressed:
            let (embed, covered) = list(notice)
            embeds = [embed]
            hidden = (notice.kind == .suppressed ? notice.suppressed : notice.items.count) - covered
        }
        var content = NoticeWording.headline(notice) + " on " + context.host
        if hidden > 0 { content += " (+\(NoticeWording.plural(hidden, "more incident")) not shown)" }
        for loss in NoticeWording.losses(notice) { content += "\n⚠️ " + loss }
        return .object([
            ("username", .string("logwatch")),
            ("content", .string(context.safe(content, limit: Limit.content))),
            ("allowed_mentions", .object([("parse", .array([]))])),
            ("embeds", .array(embeds)),
        ])
    }

    /// One incident in full, within `budget` characters.
    func full(_ item: Notice.Item, notice: Notice, budget: Int) -> JSONWriter.Value {
        let incident = item.incident
        var used = 0
        let title = context.safe("[\(incident.ruleClass.rawValue)] \(NoticeWording.verb(notice.kind)): \(incident.title)",
                                 limit: min(Limit.title, budget / 6))
        let footer = context.safe("\(context.host) · \(notice.id)", limit: min(Limit.footer, budget / 10))
        used += title.platformLength + footer.platformLength

        var fields: [(String, String, Bool)] = [
            ("Class", incident.ruleClass.rawValue, true),
            ("Severity", incident.severity.rawValue, true),
            ("Count", NoticeWording.counts(item, kind: notice.kind), true),
            ("Rule", incident.ruleID, true),
            ("First seen", NoticeWording.sighting(incident.first), false),
            ("Last seen", NoticeWording.sighting(incident.last), false),
        ].map { ($0.0, context.safe($0.1, limit: min(Limit.fieldValue, budget / 12)), $0.2) }
        used += fields.reduce(0) { $0 + $1.0.platformLength + $1.1.platformLength }

        // The description gets two thirds of what is left; the incident's fields the rest.
        var description: [String] = []
        if let origin = incident.origin { description.append("From \(origin.phrase).") }
        if let deployContext = incident.deployContext { description.append("Deploy: \(deployContext).") }
        if let also = NoticeWording.alsoSeen(incident) { description.append(context.safe(also.prefix(1).uppercased() + also.dropFirst()) + ".") }
        description.append("**Sample** (redacted)\n```\n" + sampleText(incident.sample) + "\n```")
        if let entry = context.entry(for: incident) {
            description.append("**What it means:** " + context.trusted(entry.summary))
            description.append("**Quick fix:**\n" + context.trusted(entry.quickFix))
        } else if let template = incident.template {
            description.append("**Template:** `\(context.safe(template))`")
        }
        if let pointer = NoticeWording.entryPointer(incident, context: context) {
            description.append("**Full entry:** " + context.safe(pointer))
        }
        let descriptionText = clipDescription(description, limit: min(Limit.description, (budget - used) * 2 / 3))
        used += descriptionText.platformLength

        let extra = NoticeWording.fields(incident, context)
        let moreReserve = 120
        var added = 0
        for (name, value) in extra {
            guard fields.count < Limit.fields - 1 else { break }
            let fieldName = context.safe(name, limit: Limit.fieldName)
            let fieldValue = context.safe(value, limit: min(Limit.fieldValue, 300))
            let cost = fieldName.platformLength + fieldValue.platformLength
            if used + cost + moreReserve > budget { break }
            fields.append((fieldName, fieldValue, true))
            used += cost
            added += 1
        }
        if added < extra.count {
            let rest = extra.dropFirst(added).map(\.0).joined(separator: ", ")
            let name = "+\(extra.count - added) more fields"
            let value = context.safe(rest, limit: max(1, min(moreReserve - name.platformLength, budget - used - name.platformLength)))
            fields.append((name, value, false))
        }

        var embed: [(String, JSONWriter.Value)] = [("title", .string(title))]
        if let link = context.link(for: incident) { embed.append(("url", .string(context.safe(link)))) }
        embed += [
            ("description", .string(descriptionText)),
            ("color", .int(Self.colour(notice.kind, incident.severity))),
            ("fields", .array(fields.map { .object([("name", .string($0.0)), ("value", .string($0.1)), ("inline", .bool($0.2))]) })),
            ("footer", .object([("text", .string(footer))])),
            ("timestamp", .string(RFC3339.format(notice.time))),
        ]
        return .object(embed)
    }

    /// One embed listing incidents a line each (digests, resolves, suppressed); returns how many
    /// incidents it covers.
    func list(_ notice: Notice) -> (JSONWriter.Value, Int) {
        let title = context.safe(NoticeWording.headline(notice), limit: Limit.title)
        let footer = context.safe("\(context.host) · \(notice.id)", limit: 200)
        var lines: [String] = []
        if notice.kind == .suppressed {
            lines.append("Storm control held back notices for \(NoticeWording.plural(notice.suppressed, "incident")) to keep this channel readable. Among them:")
        }
        let room = min(Limit.description, Limit.total - title.platformLength - footer.platformLength) - 60
        var used = lines.first?.platformLength ?? 0
        var covered = 0
        for item in notice.items {
            let incident = item.incident
            var line = "• **\(incident.title)** (`\(incident.ruleID)`, \(incident.ruleClass.rawValue)) — "
                + NoticeWording.counts(item, kind: notice.kind)
            line += notice.kind == .resolved
                ? ", first \(RFC3339.format(incident.first.time)), last \(RFC3339.format(incident.last.time))"
                : ", last seen \(RFC3339.format(incident.last.time))"
            line = context.safe(line, limit: 600)
            if used + line.platformLength + 1 > room { break }
            lines.append(line)
            used += line.platformLength + 1
            covered += 1
        }
        let total = notice.kind == .suppressed ? notice.suppressed : notice.items.count
        if covered < total { lines.append("+\(NoticeWording.plural(total - covered, "more incident")) not shown") }
        let embed: JSONWriter.Value = .object([
            ("title", .string(title)),
            ("description", .string(lines.joined(separator: "\n").clipped(to: Limit.description))),
            ("color", .int(Self.colour(notice.kind, notice.severity))),
            ("footer", .object([("text", .string(footer))])),
            ("timestamp", .string(RFC3339.format(notice.time))),
        ])
        return (embed, covered)
    }

    func sampleText(_ sample: String) -> String {
        var lines = context.safe(sample).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let hidden = lines.count - sampleLines
        if hidden > 0 { lines = Array(lines.prefix(sampleLines)) + ["… \(hidden) more lines"] }
        return NoticeWording.fenceSafe(lines.joined(separator: "\n")).clipped(to: 1_500)
    }

    /// Joins description parts, cutting the sample's code block rather than the fix when short.
    func clipDescription(_ parts: [String], limit: Int) -> String {
        let text = parts.joined(separator: "\n")
        if text.platformLength <= limit { return text }
        // Cut the longest part (the sample, usually) by what is over, keeping its fence closed.
        guard let longest = parts.indices.max(by: { parts[$0].platformLength < parts[$1].platformLength }) else { return "" }
        let over = text.platformLength - limit
        var trimmed = parts
        let part = parts[longest]
        if part.hasSuffix("\n```") {
            let body = String(part.dropLast(4))
            trimmed[longest] = body.clipped(to: max(0, body.platformLength - over - 4)) + "\n```"
        } else {
            trimmed[longest] = part.clipped(to: max(0, part.platformLength - over))
        }
        return trimmed.joined(separator: "\n").clipped(to: limit)
    }

    /// Embed colours: red for errors, purple for critical, amber for warnings, blue for info,
    /// green for resolved, grey for storm control.
    static func colour(_ kind: Notice.Kind, _ severity: Severity) -> Int {
        switch kind {
        case .resolved: return 0x2EB67D
        case .suppressed: return 0x95A5A6
        default: break
        }
        switch severity {
        case .critical: return 0x9B59B6
        case .error: return 0xE01E5A
        case .warning: return 0xECB22E
        case .info: return 0x36C5F0
        }
    }
}
