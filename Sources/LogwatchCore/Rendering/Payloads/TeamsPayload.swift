/// A Microsoft Teams message for a Workflows webhook ("When a Teams webhook request is
/// received"): a `message` with one Adaptive Card attachment. Teams refuses messages over about
/// 28 KB (some tenants fail near 21 KB), so the body is kept under `maxBytes` by shortening
/// samples, then fields, then incidents, with "+N more" where something was cut.
public struct TeamsPayload: Sendable {
    public var context: NoticeContext
    public var maxBytes = 20_000
    /// The Adaptive Card version: 1.2 has everything used here and renders on every Teams client.
    public static let cardVersion = "1.2"

    public init(context: NoticeContext) {
        self.context = context
    }

    struct Shape {
        var sampleChars = 2_000
        var facts = 16
        var incidents = 10
    }

    public func render(_ notice: Notice) -> Payload {
        var shape = Shape()
        while true {
            let payload = Payload.json(value(notice, shape: shape))
            if payload.body.count <= maxBytes { return payload }
            if shape.sampleChars > 200 { shape.sampleChars /= 2 }
            else if shape.facts > 4 { shape.facts /= 2 }
            else if shape.incidents > 1 { shape.incidents /= 2 }
            else if shape.sampleChars > 0 { shape.sampleChars = 0 }
            else { return Payload.json(value(notice, shape: shape)) }
        }
    }

    public func value(_ notice: Notice) -> JSONWriter.Value { value(notice, shape: Shape()) }

    func value(_ notice: Notice, shape: Shape) -> JSONWriter.Value {
        var body: [JSONWriter.Value] = [
            text(NoticeWording.headline(notice), limit: 300, extra: [("size", .string("Large")), ("weight", .string("Bolder")),
                                                                    ("color", .string(Self.colour(notice)))]),
            text("\(context.host) · \(RFC3339.format(notice.time)) · notice \(notice.id)", limit: 400,
                 extra: [("isSubtle", .bool(true)), ("spacing", .string("None"))]),
        ]
        var actions: [JSONWriter.Value] = []
        switch notice.kind {
        case .firing, .reminder:
            for item in notice.items.prefix(shape.incidents) {
                body.append(full(item, kind: notice.kind, shape: shape))
                if let link = context.link(for: item.incident), actions.count < 5 {
                    actions.append(.object([("type", .string("Action.OpenUrl")),
                                            ("title", .string(context.safe("Entry: \(item.incident.ruleID)", limit: 80))),
                                            ("url", .string(context.safe(link)))]))
                }
            }
            if notice.items.count > shape.incidents {
                body.append(text("+\(NoticeWording.plural(notice.items.count - shape.incidents, "more incident")) not shown", limit: 200,
                                 extra: [("isSubtle", .bool(true))]))
            }
        case .digest, .resolved, .suppressed:
            if notice.kind == .suppressed {
                body.append(text("Storm control held back notices for \(NoticeWording.plural(notice.suppressed, "incident")) to keep this channel readable. Among them:", limit: 400))
            }
            let shown = notice.items.prefix(shape.incidents * 3)
            let facts: [JSONWriter.Value] = shown.map { item in
                fact(item.incident.title, line(item, kind: notice.kind))
            }
            body.append(.object([("type", .string("FactSet")), ("facts", .array(facts))]))
            let total = notice.kind == .suppressed ? notice.suppressed : notice.items.count
            if total > shown.count {
                body.append(text("+\(NoticeWording.plural(total - shown.count, "more incident")) not shown", limit: 200,
                                 extra: [("isSubtle", .bool(true))]))
            }
        }
        for loss in NoticeWording.losses(notice) { body.append(text("⚠️ " + loss, limit: 300, extra: [("color", .string("warning"))])) }

        var card: [(String, JSONWriter.Value)] = [
            ("$schema", .string("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("type", .string("AdaptiveCard")),
            ("version", .string(Self.cardVersion)),
            ("msteams", .object([("width", .string("Full"))])),
            ("body", .array(body)),
        ]
        if !actions.isEmpty { card.append(("actions", .array(actions))) }
        return .object([
            ("type", .string("message")),
            ("attachments", .array([.object([
                ("contentType", .string("application/vnd.microsoft.card.adaptive")),
                ("contentUrl", .null),
                ("content", .object(card)),
            ])])),
        ])
    }

    func full(_ item: Notice.Item, kind: Notice.Kind, shape: Shape) -> JSONWriter.Value {
        let incident = item.incident
        var items: [JSONWriter.Value] = [
            text(incident.title, limit: 400, extra: [("weight", .string("Bolder")), ("size", .string("Medium"))]),
        ]
        if let origin = incident.origin { items.append(text("From \(origin.phrase).", limit: 200, extra: [("spacing", .string("None"))])) }
        if let deployContext = incident.deployContext { items.append(text("Deploy: \(deployContext).", limit: 300, extra: [("spacing", .string("None"))])) }
        if let also = incident.alsoSeenText { items.append(text("Also seen: \(also).", limit: 600, extra: [("spacing", .string("None"))])) }
        var facts: [JSONWriter.Value] = [
            fact("Class", incident.ruleClass.rawValue),
            fact("Severity", incident.severity.rawValue),
            fact("Count", NoticeWording.counts(item, kind: kind)),
            fact("Rule", incident.ruleID),
            fact("First seen", NoticeWording.sighting(incident.first)),
            fact("Last seen", NoticeWording.sighting(incident.last)),
        ]
        let fields = NoticeWording.fields(incident, context)
        let room = max(0, shape.facts - 1)
        facts += fields.prefix(room).map { fact($0.0, $0.1) }
        if fields.count > room {
            facts.append(fact("+\(fields.count - room) more fields", fields.dropFirst(room).map(\.0).joined(separator: ", ")))
        }
        items.append(.object([("type", .string("FactSet")), ("facts", .array(facts))]))
        if shape.sampleChars > 0 {
            items.append(text("Sample (redacted)", limit: 100, extra: [("weight", .string("Bolder"))]))
            items.append(text(incident.sample, limit: shape.sampleChars,
                              extra: [("fontType", .string("Monospace")), ("spacing", .string("None"))]))
        }
        if let entry = context.entry(for: incident) {
            items.append(text("What it means: " + entry.summary, limit: 1_000, trusted: true))
            items.append(text("Quick fix", limit: 100, extra: [("weight", .string("Bolder"))]))
            items.append(text(entry.quickFix, limit: 2_000, extra: [("spacing", .string("None"))], trusted: true))
        } else if let template = incident.template {
            items.append(text("Template: " + template, limit: 1_000))
        }
        if context.link(for: incident) == nil, let pointer = NoticeWording.entryPointer(incident, context: context) {
            items.append(text("Full entry: " + pointer, limit: 300, extra: [("isSubtle", .bool(true))]))
        }
        return .object([("type", .string("Container")), ("separator", .bool(true)),
                        ("style", .string(kind == .resolved ? "good" : "emphasis")), ("items", .array(items))])
    }

    func line(_ item: Notice.Item, kind: Notice.Kind) -> String {
        let incident = item.incident
        var text = "\(incident.ruleClass.rawValue) · \(incident.ruleID) · " + NoticeWording.counts(item, kind: kind)
        text += kind == .resolved
            ? " · first \(RFC3339.format(incident.first.time)), last \(RFC3339.format(incident.last.time))"
            : " · last seen \(RFC3339.format(incident.last.time))"
        return text
    }

    /// `trusted`: the catalogue's words, kept whole; anything else is redacted.
    func text(_ raw: String, limit: Int, extra: [(String, JSONWriter.Value)] = [], trusted: Bool = false) -> JSONWriter.Value {
        let text = trusted ? context.trusted(raw, limit: limit) : context.safe(raw, limit: limit)
        return .object([("type", .string("TextBlock")), ("text", .string(text)), ("wrap", .bool(true))] + extra)
    }

    func fact(_ title: String, _ value: String) -> JSONWriter.Value {
        .object([("title", .string(context.safe(title, limit: 200))), ("value", .string(context.safe(value, limit: 1_000)))])
    }

    static func colour(_ notice: Notice) -> String {
        switch notice.kind {
        case .resolved: return "good"
        case .suppressed: return "default"
        default: break
        }
        switch notice.severity {
        case .critical, .error: return "attention"
        case .warning: return "warning"
        case .info: return "accent"
        }
    }
}
