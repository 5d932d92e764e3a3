/// The `--json` contract: one NDJSON object per matched record, text already redacted.
public enum RecordJSON {
    public static func render(_ classification: Classification, redactor: Redactor, links: EntryLinks) -> String {
        JSONWriter.write(value(classification, redactor: redactor, links: links))
    }

    /// Renders many records, rendering each rule's `entry` object (and redacting its quick fix)
    /// once instead of once per record. Same bytes as `render`.
    public final class Renderer {
        let redactor: Redactor
        let links: EntryLinks
        private var entries: [Int: JSONWriter.Value] = [:]

        public init(redactor: Redactor, links: EntryLinks) {
            self.redactor = redactor
            self.links = links
        }

        public func render(_ classification: Classification) -> String {
            String(decoding: renderBytes(classification), as: UTF8.self)
        }

        /// `render` as UTF-8 bytes, without building a String on the way to a file descriptor.
        public func renderBytes(_ classification: Classification) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(1024)
            renderBytes(classification, into: &out)
            return out
        }

        /// `renderBytes`, appended to `out` (a buffer of many records, without one array each).
        public func renderBytes(_ classification: Classification, into out: inout [UInt8]) {
            var entry = JSONWriter.Value.null
            if let rule = classification.rule {
                if let cached = entries[rule.index] {
                    entry = cached
                } else {
                    // The entry is most of a record's bytes: escape it once, not per record.
                    entry = .raw(JSONWriter.write(RecordJSON.entry(rule, redactor: redactor, links: links)))
                    entries[rule.index] = entry
                }
            }
            JSONWriter.write(RecordJSON.value(classification, redactor: redactor, links: links, entry: entry,
                                              fields: redacted(classification.fields)), into: &out, indent: nil, level: 0)
        }

        /// Field values repeat (models, providers, exception names): each is redacted once.
        private var fieldCache: [String: String] = [:]

        private func redacted(_ fields: [String: String]) -> [String: String] {
            var out: [String: String] = [:]
            for (name, value) in fields {
                let key = name + "\u{1F}" + value
                if let hit = fieldCache[key] {
                    out[name] = hit
                    continue
                }
                let masked = redactor.redact(field: name, value: value)
                if fieldCache.count >= 4096 { fieldCache.removeAll(keepingCapacity: true) }
                fieldCache[key] = masked
                out[name] = masked
            }
            return out
        }
    }

    /// The `entry` object of a rule: the same for every record the rule matches.
    public static func entry(_ rule: CompiledRule?, redactor: Redactor, links: EntryLinks) -> JSONWriter.Value {
        guard let rule else { return .null }
        return .object([
            ("summary", .string(rule.entry.summary)),
            ("quick_fix", .string(redactor.redact(rule.entry.quickFix))),
            ("link", links.link(ruleClass: rule.ruleClass, id: rule.id).map { .string($0) } ?? .null),
            ("explain", .string(EntryLinks.explainCommand(rule.id))),
        ])
    }

    public static func value(_ c: Classification, redactor: Redactor, links: EntryLinks,
                             entry cached: JSONWriter.Value? = nil, fields redacted: [String: String]? = nil) -> JSONWriter.Value {
        let record = c.record
        let entry = cached ?? entry(c.rule, redactor: redactor, links: links)
        var pairs: [(String, JSONWriter.Value)] = [
            ("source", .string(record.source)),
            ("line", .int(record.line)),
            ("rule", .string(c.ruleID)),
            ("class", .string(c.ruleClass.rawValue)),
            ("severity", .string(c.severity.rawValue)),
            ("title", .string(c.title)),
            ("origin", c.rule.map { .string($0.spec.origin.rawValue) } ?? .null),
            ("fields", .fields(redacted ?? redactor.redact(c.fields))),
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
