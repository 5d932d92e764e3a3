/// The body of Alertmanager's `POST /api/v2/alerts`: one alert per incident (Alertmanager
/// groups, silences and routes alerts itself, across every host that posts to it).
///
/// Alertmanager resolves an alert whose `endsAt` has passed, so a firing incident is posted
/// with `endsAt` = notice time + `context.alertLifetime`, and every digest and reminder re-posts
/// it; a resolved incident is posted with `endsAt` = its resolve time. Labels identify the alert
/// and never change while it fires: counts and times live in annotations.
public struct AlertmanagerPayload: Sendable {
    public var context: NoticeContext
    /// A fixed `alertname` for every alert; nil (the default) uses the rule id, so Alertmanager's
    /// usual `group_by: [alertname]` groups the same problem across hosts.
    public var alertName: String?

    public init(context: NoticeContext) {
        self.context = context
    }

    public func render(_ notice: Notice) -> Payload { .json(value(notice)) }

    /// A suppressed notice carries no alerts (storm control is for chat channels; Alertmanager
    /// has its own), so it renders as an empty array.
    public func value(_ notice: Notice) -> JSONWriter.Value {
        guard notice.kind != .suppressed else { return .array([]) }
        return .array(notice.items.map { alert($0, notice: notice) })
    }

    func alert(_ item: Notice.Item, notice: Notice) -> JSONWriter.Value {
        let incident = item.incident
        var labels: [(String, String)] = [
            ("alertname", alertName ?? incident.ruleID),
            ("class", incident.ruleClass.rawValue),
            ("rule", incident.ruleID),
            ("severity", incident.severity.rawValue),
            ("host", context.host),
            ("incident", incident.id),
            ("provider", incident.fields["provider"] ?? ""),
            ("model", incident.fields["model_group"] ?? incident.fields["model"] ?? ""),
            ("litellm_code", incident.fields["litellm_code"] ?? ""),
        ]
        // Alertmanager treats an empty label as absent; leaving it out keeps identities stable.
        labels = labels.map { ($0.0, context.safe($0.1, limit: 200)) }.filter { !$0.1.isEmpty }

        var description = [
            "\(NoticeWording.counts(item, kind: notice.kind)) on \(context.host).",
            "First seen \(NoticeWording.sighting(incident.first)).",
            "Last seen \(NoticeWording.sighting(incident.last)).",
        ]
        if let origin = incident.origin { description.append("From \(origin.phrase).") }
        if let deployContext = incident.deployContext { description.append("Deploy: \(deployContext).") }
        if let also = incident.alsoSeenText { description.append("Also seen: \(also).") }
        let fields = NoticeWording.fields(incident, context)
        if !fields.isEmpty { description.append("Fields: " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) }
        if let entry = context.entry(for: incident) { description.append("Quick fix: " + entry.quickFix) }
        if context.link(for: incident) == nil, let pointer = NoticeWording.entryPointer(incident, context: context) {
            description.append("Full entry: " + pointer)
        }
        var annotations: [(String, String)] = [
            ("summary", incident.title),
            ("description", description.joined(separator: "\n")),
            ("sample", incident.sample),
            ("count", String(incident.count)),
        ]
        if let entry = context.entry(for: incident) { annotations.append(("meaning", entry.summary)) }
        if let link = context.link(for: incident) { annotations.append(("runbook_url", link)) }
        else if let pointer = NoticeWording.entryPointer(incident, context: context) { annotations.append(("runbook", pointer)) }

        let endsAt = notice.kind == .resolved ? (incident.resolvedAt ?? notice.time) : notice.time + context.alertLifetime
        return .object([
            ("labels", .object(labels.map { ($0.0, .string($0.1)) })),
            ("annotations", .object(annotations.map {
                ($0.0, .string(context.safe($0.1, limit: 4_000, keeping: context.trustedTexts([incident]))))
            })),
            ("startsAt", .string(RFC3339.format(incident.first.time))),
            ("endsAt", .string(RFC3339.format(endsAt))),
        ])
    }
}
