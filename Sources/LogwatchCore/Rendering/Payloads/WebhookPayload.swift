/// The generic webhook body: the versioned `logwatch.notice/v1` schema documented in
/// docs/webhook-schema.md. Adding a field is compatible; renaming or removing one bumps the
/// version. It is also the NDJSON line the terminal prints with `--json` (one object per line).
public struct WebhookPayload: Sendable {
    public static let schema = "logwatch.notice/v1"
    public var context: NoticeContext
    /// Longest sample sent, in characters (the book already cuts samples; this bounds the body).
    public var sampleLimit = 4_000

    public init(context: NoticeContext) {
        self.context = context
    }

    public func render(_ notice: Notice) -> Payload { .json(value(notice)) }

    public func value(_ notice: Notice) -> JSONWriter.Value {
        let s: (String) -> String = { context.safe($0) }
        return .object([
            ("schema", .string(Self.schema)),
            ("notice_id", .string(notice.id)),
            ("kind", .string(notice.kind.rawValue)),
            ("time", .string(RFC3339.format(notice.time))),
            ("host", .string(s(context.host))),
            ("group", .string(s(notice.group))),
            ("headline", .string(s(NoticeWording.headline(notice)))),
            ("severity", .string(notice.severity.rawValue)),
            ("incident_count", .int(notice.items.count)),
            ("new_count", .int(notice.newCount)),
            ("suppressed", .int(notice.suppressed)),
            ("evicted", .int(notice.evicted)),
            ("dropped", .int(notice.dropped)),
            ("incidents", .array(notice.items.map { incident($0, kind: notice.kind) })),
        ])
    }

    func incident(_ item: Notice.Item, kind: Notice.Kind) -> JSONWriter.Value {
        let incident = item.incident
        let s: (String) -> String = { context.safe($0) }
        let entry = context.entry(for: incident)
        func optional(_ text: String?) -> JSONWriter.Value { text.map { .string(s($0)) } ?? .null }
        var members: [(String, JSONWriter.Value)] = [
            ("id", .string(incident.id)),
            ("class", .string(incident.ruleClass.rawValue)),
            ("rule", .string(s(incident.ruleID))),
            ("severity", .string(incident.severity.rawValue)),
            ("title", .string(s(incident.title))),
            ("origin", incident.origin.map { .string($0.rawValue) } ?? .null),
            ("litellm_code", optional(incident.fields["litellm_code"])),
            ("rate_limit_category", optional(incident.fields["rate_limit_category"])),
            ("deploy_context", optional(incident.deployContext)),
            ("state", .string(incident.state.rawValue)),
            ("count", .int(incident.count)),
            ("new_count", .int(item.newCount)),
            ("first_seen", sighting(incident.first)),
            ("last_seen", sighting(incident.last)),
            ("resolved_at", incident.resolvedAt.map { .string(RFC3339.format($0)) } ?? .null),
            ("duration_seconds", .double(incident.duration)),
            ("fields", redactedFields(incident.fields)),
            ("fingerprint", redactedFields(incident.fingerprint)),
            ("sample", .string(context.safe(incident.sample, limit: sampleLimit))),
            ("template", optional(incident.template)),
            ("summary", entry.map { .string(context.trusted($0.summary)) } ?? .null),
            ("quick_fix", entry.map { .string(context.trusted($0.quickFix)) } ?? .null),
            ("entry_link", optional(context.link(for: incident))),
            ("explain", optional(incident.ruleClass == .unknown ? nil : EntryLinks.explainCommand(incident.ruleID))),
        ]
        // Only when the failure logged other signatures (access lines, consequences): record
        // counts by rule id, the incident's own included.
        if !incident.alsoSeen.isEmpty {
            members.append(("signatures", .object(incident.signatures.sorted { $0.key < $1.key }.map { (s($0.key), .int($0.value)) })))
        }
        return .object(members)
    }

    func redactedFields(_ fields: [String: String]) -> JSONWriter.Value {
        .object(fields.sorted { $0.key < $1.key }.map {
            (context.safe($0.key), .string(context.redactor.redact(field: $0.key, value: $0.value)))
        })
    }

    func sighting(_ sighting: Sighting) -> JSONWriter.Value {
        .object([
            ("time", .string(RFC3339.format(sighting.time))),
            ("source", .string(context.safe(sighting.source))),
            ("line", .int(sighting.line)),
            ("timestamp", sighting.timestamp.map { .string(context.safe($0)) } ?? .null),
        ])
    }
}
