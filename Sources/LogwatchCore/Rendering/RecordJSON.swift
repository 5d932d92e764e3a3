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
        /// Written field by field instead of through a `JSONWriter.Value` tree, with each rule's
        /// fixed fields rendered once: `scan` renders every matched record of a log. The same bytes
        /// as `RecordJSON.render` (`BlockScanTests.testCachedEntryRendererWritesTheSameBytes`).
        public func renderBytes(_ classification: Classification, into out: inout [UInt8]) {
            let c = classification, record = c.record
            out += Self.sourceKey
            JSONWriter.escape(record.source, into: &out)
            out += Self.lineKey
            out += String(record.line).utf8
            if let rule = c.rule {
                out += ruleHead(rule)
            } else {
                Self.appendHead(id: c.ruleID, ruleClass: c.ruleClass, severity: c.severity, title: c.title, origin: nil,
                                into: &out)
            }
            out += Self.fieldsKey
            JSONWriter.write(.fields(redacted(c.fields)), into: &out, indent: nil, level: 0)
            out += Self.textKey
            if Self.isASCII(record.text) {
                redactor.redact(ascii: record.text).withUnsafeBufferPointer { JSONWriter.escape(bytes: $0, into: &out) }
            } else {
                JSONWriter.escape(redactor.redact(record.string), into: &out)
            }
            out += Self.entryKey
            if let rule = c.rule {
                out += entryBytes(rule)
            } else {
                out += Self.null
            }
            out += Self.matchesKey
            for (i, id) in c.matches.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.escape(id, into: &out)
            }
            out.append(UInt8(ascii: "]"))
            if let level = record.level {
                out += Self.levelKey
                JSONWriter.escape(level, into: &out)
            }
            if let timestamp = record.timestamp {
                out += Self.timestampKey
                JSONWriter.escape(timestamp, into: &out)
            }
            if let template = c.template {
                out += Self.templateKey
                JSONWriter.escape(redactor.redact(template.text), into: &out)
            }
            if record.truncated { out += Self.truncatedTrue }
            if let code = c.litellmCode {
                out += Self.litellmCodeKey
                JSONWriter.escape(code, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }

        static let sourceKey = Array(#"{"source":"#.utf8), lineKey = Array(#","line":"#.utf8)
        static let ruleKey = Array(#","rule":"#.utf8), classKey = Array(#","class":"#.utf8)
        static let severityKey = Array(#","severity":"#.utf8), titleKey = Array(#","title":"#.utf8)
        static let originKey = Array(#","origin":"#.utf8), originNull = Array(#","origin":null"#.utf8)
        static let fieldsKey = Array(#","fields":"#.utf8), textKey = Array(#","text":"#.utf8)
        static let entryKey = Array(#","entry":"#.utf8), matchesKey = Array(#","matches":["#.utf8)
        static let levelKey = Array(#","level":"#.utf8), timestampKey = Array(#","timestamp":"#.utf8)
        static let templateKey = Array(#","template":"#.utf8), truncatedTrue = Array(#","truncated":true"#.utf8)
        static let litellmCodeKey = Array(#","litellm_code":"#.utf8)
        static let null = Array("null".utf8)

        /// `,"rule":…,"class":…,"severity":…,"title":…,"origin":…` of a rule, rendered once.
        private var ruleHeads: [Int: [UInt8]] = [:]
        private var entryTexts: [Int: [UInt8]] = [:]

        private func ruleHead(_ rule: CompiledRule) -> [UInt8] {
            if let head = ruleHeads[rule.index] { return head }
            var head: [UInt8] = []
            Self.appendHead(id: rule.id, ruleClass: rule.ruleClass, severity: rule.severity, title: rule.title,
                            origin: rule.spec.origin.rawValue, into: &head)
            ruleHeads[rule.index] = head
            return head
        }

        static func appendHead(id: String, ruleClass: IncidentClass, severity: Severity, title: String, origin: String?,
                               into out: inout [UInt8]) {
            out += ruleKey
            JSONWriter.escape(id, into: &out)
            out += classKey
            JSONWriter.escape(ruleClass.rawValue, into: &out)
            out += severityKey
            JSONWriter.escape(severity.rawValue, into: &out)
            out += titleKey
            JSONWriter.escape(title, into: &out)
            if let origin {
                out += originKey
                JSONWriter.escape(origin, into: &out)
            } else {
                out += originNull
            }
        }

        private func entryBytes(_ rule: CompiledRule) -> [UInt8] {
            if let text = entryTexts[rule.index] { return text }
            let text = JSONWriter.bytes(RecordJSON.entry(rule, redactor: redactor, links: links))
            entryTexts[rule.index] = text
            return text
        }

        /// No byte >= 0x80, eight at a time.
        static func isASCII(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { p in
                var i = 0, high: UInt64 = 0
                while i + 8 <= p.count {
                    high |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    i += 8
                }
                while i < p.count {
                    high |= UInt64(p[i])
                    i += 1
                }
                return high & 0x8080_8080_8080_8080 == 0
            }
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
            // The catalogue's words: never redacted (a `<password>` placeholder must stay whole).
            ("quick_fix", .string(rule.entry.quickFix)),
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
        if let code = c.litellmCode { pairs.append(("litellm_code", .string(code))) }
        return .object(pairs)
    }
}
