/// Notices as terminal text (colour when the style says so), built on IncidentText so a notice
/// reads like the incidents `scan` prints.
public struct NoticeText: Sendable {
    public var context: NoticeContext
    public var style: TextStyle

    public init(context: NoticeContext, style: TextStyle = .plain) {
        self.context = context
        self.style = style
    }

    public func render(_ notice: Notice) -> Payload { .text(text(notice)) }

    public func text(_ notice: Notice) -> String {
        var blocks: [String] = []
        let incidentText = IncidentText(style: style, links: context.links)
        // Fields are masked by name too (a bare secret in an `api_key` field has no pattern).
        var notice = notice
        for index in notice.items.indices {
            notice.items[index].incident.fields = context.redactor.redact(notice.items[index].incident.fields)
            notice.items[index].incident.fingerprint = context.redactor.redact(notice.items[index].incident.fingerprint)
        }
        switch notice.kind {
        case .firing:
            blocks = notice.items.map { incidentText.render($0.incident, entry: context.entry(for: $0.incident)) + "\n" }
        case .reminder:
            blocks = notice.items.map { item in
                incidentText.render(item.incident, entry: context.entry(for: item.incident), update: true)
                    + "\n" + style.dim("  still firing after \(NoticeWording.duration(item.incident.duration)), "
                                       + NoticeWording.counts(item, kind: .reminder))
            }
        case .digest, .resolved:
            blocks = [notice.items.map { line($0, kind: notice.kind) }.joined(separator: "\n")]
        case .suppressed:
            var lines = [style.bold("storm control") + ": \(NoticeWording.plural(notice.suppressed, "more incident")) suppressed"
                         + (NoticeWording.folded(notice).map { " (\($0))" } ?? "")]
            lines += notice.items.map { "  " + style.severity("[\($0.incident.ruleClass.rawValue)]", $0.incident.severity) + " " + $0.incident.title }
            blocks = [lines.joined(separator: "\n")]
        }
        for loss in NoticeWording.losses(notice) { blocks.append(style.bold("warning") + ": " + loss) }
        // The entries' words stay whole; everything else (samples, sources, fields) is redacted.
        return context.safe(blocks.joined(separator: "\n") + "\n", keeping: context.trustedTexts(notice.items.map(\.incident)))
    }

    func line(_ item: Notice.Item, kind: Notice.Kind) -> String {
        let incident = item.incident
        let tag = style.severity("[\(incident.ruleClass.rawValue)]", incident.severity)
        if kind == .resolved {
            return tag + " " + incident.title + style.dim("  (\(incident.ruleID)) resolved: "
                + NoticeWording.counts(item, kind: kind) + ", quiet since \(RFC3339.format(incident.last.time))")
        }
        return tag + " " + incident.title + style.dim("  (\(incident.ruleID)) " + NoticeWording.counts(item, kind: kind)
            + ", last at \(incident.last.source):\(incident.last.line)")
    }
}
