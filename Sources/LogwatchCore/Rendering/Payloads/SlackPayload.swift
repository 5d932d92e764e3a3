/// A Slack incoming-webhook message in Block Kit, with a plain `text` fallback for
/// notifications. Slack rejects a message that breaks its limits, so every piece is cut to fit:
/// header 150 characters, section text 3000, at most 10 fields of 2000 per section, at most 50
/// blocks; what is cut says "+N more".
public struct SlackPayload: Sendable {
    public enum Limit {
        public static let header = 150
        public static let sectionText = 3_000
        public static let fields = 10
        public static let fieldText = 2_000
        public static let blocks = 50
        /// Slack truncates long `text`; a notification needs far less.
        public static let fallbackText = 3_000
    }

    public var context: NoticeContext
    /// Sample lines shown in the code block (before the 3000-character cut).
    public var sampleLines = 20

    public init(context: NoticeContext) {
        self.context = context
    }

    public func render(_ notice: Notice) -> Payload { .json(value(notice)) }

    public func value(_ notice: Notice) -> JSONWriter.Value {
        var blocks: [JSONWriter.Value] = []
        let header = "\(Self.icon(notice)) \(NoticeWording.headline(notice))"
        blocks.append(.object([
            ("type", .string("header")),
            ("text", .object([("type", .string("plain_text")), ("text", .string(context.safe(header, limit: Limit.header))),
                              ("emoji", .bool(true))])),
        ]))
        var about = "host *\(mrkdwn(context.host, 200))*"
        if notice.kind != .suppressed {
            about += " · \(notice.severity.rawValue) · group `\(mrkdwn(notice.group, 200))`"
        }
        about += " · \(RFC3339.format(notice.time)) · notice \(notice.id)"
        blocks.append(context([about]))

        // Keep room for the losses line and a "+N more incidents" section.
        let budget = Limit.blocks - 2
        var shown = 0
        switch notice.kind {
        case .firing, .reminder:
            for item in notice.items {
                let incidentBlocks = full(item, kind: notice.kind)
                if blocks.count + incidentBlocks.count > budget { break }
                blocks += incidentBlocks
                shown += 1
            }
        case .digest, .resolved, .suppressed:
            var lines: [String] = []
            if notice.kind == .suppressed {
                lines.append("Storm control held back notices for \(NoticeWording.plural(notice.suppressed, "incident")) "
                             + "to keep this channel readable. Among them:")
            }
            for item in notice.items { lines.append(line(item, kind: notice.kind)) }
            let (sections, covered) = packLines(lines, budget: budget - blocks.count)
            blocks += sections
            shown = max(0, covered - (notice.kind == .suppressed ? 1 : 0))
        }
        let hidden = (notice.kind == .suppressed ? notice.suppressed : notice.items.count) - shown
        if hidden > 0 {
            blocks.append(section("_+\(NoticeWording.plural(hidden, "more incident")) not shown._"))
        }
        let losses = NoticeWording.losses(notice)
        if !losses.isEmpty { blocks.append(context(losses.map { "⚠️ " + mrkdwn($0, 500) })) }
        return .object([
            // The fallback is mrkdwn too: escaped like the blocks.
            ("text", .string(mrkdwn(fallback(notice), Limit.fallbackText))),
            ("blocks", .array(blocks)),
        ])
    }

    /// One incident in full: title, facts, fields, sample, quick fix, divider (six blocks).
    func full(_ item: Notice.Item, kind: Notice.Kind) -> [JSONWriter.Value] {
        let incident = item.incident
        var blocks: [JSONWriter.Value] = []
        var title = "*\(mrkdwn(incident.title, 500))*"
        if let origin = incident.origin { title += "\nfrom \(mrkdwn(origin.phrase, 200))" }
        if let deployContext = incident.deployContext { title += "\n:rocket: \(mrkdwn(deployContext, 300))" }
        blocks.append(section(title))
        var facts = [
            "*Class*\n\(incident.ruleClass.rawValue)",
            "*Severity*\n\(incident.severity.rawValue)",
            "*Count*\n\(mrkdwn(NoticeWording.counts(item, kind: kind), 200))",
            "*Rule*\n`\(mrkdwn(incident.ruleID, 300))`",
            "*First seen*\n\(mrkdwn(NoticeWording.sighting(incident.first), 900))",
            "*Last seen*\n\(mrkdwn(NoticeWording.sighting(incident.last), 900))",
        ]
        if kind == .reminder { facts.append("*Firing for*\n\(NoticeWording.duration(incident.duration))") }
        if let also = incident.alsoSeenText { facts.append("*Also seen*\n\(mrkdwn(also, 600))") }
        blocks.append(fieldsSection(facts))
        let shownFields = NoticeWording.fields(incident, context)
        if !shownFields.isEmpty {
            var texts = shownFields.prefix(Limit.fields).map { "*\(mrkdwn($0.0, 200))*\n\(mrkdwn($0.1, 1_000))" }
            if shownFields.count > Limit.fields {
                texts.removeLast()
                let rest = shownFields.dropFirst(Limit.fields - 1)
                texts.append("*+\(rest.count) more fields*\n" + mrkdwn(rest.map(\.0).joined(separator: ", "), 1_000))
            }
            blocks.append(fieldsSection(texts))
        }
        blocks.append(section(codeBlock(incident.sample)))
        var fix: [String] = []
        if let entry = context.entry(for: incident) {
            fix.append("*What it means:* " + escapedClip(context.trusted(entry.summary), 600))
            fix.append("*Quick fix:*\n" + escapedClip(context.trusted(entry.quickFix), 1_600))
        } else if let template = incident.template {
            fix.append("*Template:* `\(mrkdwn(template, 800))`\nNo rule knows this error yet; it is grouped by its template.")
        }
        if let link = context.link(for: incident) {
            fix.append("<\(mrkdwn(link, 500))|Full troubleshooting entry>")
        } else if let pointer = NoticeWording.entryPointer(incident, context: context) {
            fix.append("Full entry: `\(mrkdwn(pointer, 300))`")
        }
        if !fix.isEmpty { blocks.append(section(fix.joined(separator: "\n"))) }
        blocks.append(.object([("type", .string("divider"))]))
        return blocks
    }

    /// One line for digests, resolves and suppressed lists.
    func line(_ item: Notice.Item, kind: Notice.Kind) -> String {
        let incident = item.incident
        var text = "• *\(mrkdwn(incident.title, 300))* (`\(mrkdwn(incident.ruleID, 200))`, \(incident.ruleClass.rawValue)) — "
        text += mrkdwn(NoticeWording.counts(item, kind: kind), 200)
        if kind == .resolved {
            text += ", first \(RFC3339.format(incident.first.time)), last \(RFC3339.format(incident.last.time))"
        } else {
            text += ", last seen \(RFC3339.format(incident.last.time))"
        }
        return text
    }

    /// Packs lines into sections under the text limit; returns the sections and how many lines
    /// they hold.
    func packLines(_ lines: [String], budget: Int) -> ([JSONWriter.Value], Int) {
        var sections: [JSONWriter.Value] = []
        var current = ""
        var covered = 0
        var pending = 0
        for line in lines {
            let candidate = current.isEmpty ? line : current + "\n" + line
            if candidate.platformLength <= Limit.sectionText {
                current = candidate
                pending += 1
                continue
            }
            guard sections.count + 1 < budget else { break }
            if !current.isEmpty { sections.append(section(current)); covered += pending }
            current = line.clipped(to: Limit.sectionText)
            pending = 1
        }
        if !current.isEmpty && sections.count < budget { sections.append(section(current)); covered += pending }
        return (sections, covered)
    }

    func fallback(_ notice: Notice) -> String {
        var text = NoticeWording.headline(notice) + " on \(context.host)"
        if notice.kind != .suppressed {
            text += " — " + notice.items.prefix(5).map { "\($0.incident.ruleClass.rawValue)/\($0.incident.ruleID): "
                + NoticeWording.counts($0, kind: notice.kind) }.joined(separator: "; ")
            if notice.items.count > 5 { text += "; +\(notice.items.count - 5) more" }
        }
        return text
    }

    func codeBlock(_ sample: String) -> String {
        var lines = context.safe(sample).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let hidden = lines.count - sampleLines
        if hidden > 0 { lines = Array(lines.prefix(sampleLines)) + ["… \(hidden) more lines"] }
        let body = NoticeWording.fenceSafe(lines.joined(separator: "\n"))
        let open = "*Sample* (redacted)\n```", close = "```"
        return open + escapedClip(body, Limit.sectionText - open.utf16.count - close.utf16.count) + close
    }

    func section(_ text: String) -> JSONWriter.Value {
        .object([("type", .string("section")),
                 ("text", .object([("type", .string("mrkdwn")), ("text", .string(text.clipped(to: Limit.sectionText)))]))])
    }

    func fieldsSection(_ texts: [String]) -> JSONWriter.Value {
        .object([("type", .string("section")),
                 ("fields", .array(texts.prefix(Limit.fields).map {
                     .object([("type", .string("mrkdwn")), ("text", .string($0.clipped(to: Limit.fieldText)))])
                 }))])
    }

    func context(_ texts: [String]) -> JSONWriter.Value {
        .object([("type", .string("context")),
                 ("elements", .array(texts.prefix(10).map {
                     .object([("type", .string("mrkdwn")), ("text", .string($0.clipped(to: Limit.sectionText)))])
                 }))])
    }

    /// Redacted, escaped for mrkdwn (`&`, `<`, `>` are control characters there), and cut to
    /// `limit` characters after escaping without splitting an escape.
    func mrkdwn(_ raw: String, _ limit: Int) -> String {
        escapedClip(context.safe(raw), limit)
    }

    func escapedClip(_ text: String, _ limit: Int) -> String {
        let marker = " …"
        var out = ""
        var used = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let piece = switch character {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            default: String(character)
            }
            if used + piece.utf16.count > limit {
                // Make room for the marker, dropping whole pieces.
                while used + marker.utf16.count > limit, let last = out.last {
                    out.removeLast()
                    used -= last.utf16.count
                    if last == ";", let amp = out.lastIndex(of: "&") {
                        used -= out[amp...].utf16.count
                        out.removeSubrange(amp...)
                    }
                }
                return out + marker
            }
            out += piece
            used += piece.utf16.count
            index = text.index(after: index)
        }
        return out
    }

    static func icon(_ notice: Notice) -> String {
        switch notice.kind {
        case .resolved: "✅"
        case .suppressed: "🔇"
        case .digest: "📈"
        case .firing, .reminder:
            switch notice.severity {
            case .critical: "🚨"
            case .error: "🔴"
            case .warning: "🟠"
            case .info: "🔵"
            }
        }
    }
}
