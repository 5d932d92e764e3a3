/// The `--json` contract: one NDJSON object per matched record, text already redacted.
public enum RecordJSON {
    public static func render(_ classification: Classification, redactor: Redactor, links: EntryLinks) -> String {
        JSONWriter.write(value(classification, redactor: redactor, links: links))
    }

    public static func value(_ c: Classification, redactor: Redactor, links: EntryLinks) -> JSONWriter.Value {
        let record = c.record
        var entry: JSONWriter.Value = .null
        if let rule = c.rule {
            entry = .object([
                ("summary", .string(rule.entry.summary)),
                ("quick_fix", .string(redactor.redact(rule.entry.quickFix))),
                ("link", links.link(ruleClass: rule.ruleClass, id: rule.id).map { .string($0) } ?? .null),
                ("explain", .string(EntryLinks.explainCommand(rule.id))),
            ])
        }
        var pairs: [(String, JSONWriter.Value)] = [
            ("source", .string(record.source)),
            ("line", .int(record.line)),
            ("rule", .string(c.ruleID)),
            ("class", .string(c.ruleClass.rawValue)),
            ("severity", .string(c.severity.rawValue)),
            ("title", .string(c.title)),
            ("origin", c.rule.map { .string($0.spec.origin.rawValue) } ?? .null),
            ("fields", .fields(redactor.redact(c.fields))),
            ("text", .string(redactor.redact(record.string))),
            ("entry", entry),
            ("matches", .array(c.matches.map { .string($0) })),
        ]
        if let level = record.level { pairs.append(("level", .string(level))) }
        if let timestamp = record.timestamp { pairs.append(("timestamp", .string(timestamp))) }
        if let template = c.template { pairs.append(("template", .string(redactor.redact(template.text)))) }
        if record.truncated { pairs.append(("truncated", .bool(true))) }
        return .object(pairs)
    }
}
