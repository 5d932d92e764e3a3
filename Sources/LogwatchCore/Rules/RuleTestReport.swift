/// What `logwatch test` tells an operator about a log and a rule set: how often each rule hit
/// and the fields it read, the error-looking records nothing matched, and the incidents a run
/// would open. Pure: records and classifications come in, text goes out.
public struct RuleTestReport: Sendable {
    public struct Hit: Sendable {
        public var rule: String
        public var ruleClass: IncidentClass
        public var count = 0
        /// Fields of the first hit, and every field name seen in any hit.
        public var firstFields: [String: String] = [:]
        public var fieldNames: Set<String> = []
        public var firstLine = 0
        public var firstSource = ""
    }

    public struct Miss: Sendable {
        public var source: String
        public var line: Int
        public var text: String
        public var template: String
    }

    public private(set) var records = 0
    public private(set) var hits: [String: Hit] = [:]
    public private(set) var misses: [Miss] = []
    /// Misses kept in full (all are counted).
    public var missLimit = 200
    public private(set) var missCount = 0
    private let redactor = Redactor()

    public init() {}

    public var matched: Int { hits.values.reduce(0) { $0 + $1.count } }

    public mutating func add(_ record: LogRecord, _ classification: Classification?) {
        records += 1
        guard let classification else { return }
        guard let rule = classification.rule else {
            missCount += 1
            if misses.count < missLimit {
                misses.append(Miss(source: record.source, line: record.line, text: redactor.redact(record.string),
                                   template: classification.template?.id ?? ""))
            }
            return
        }
        var hit = hits[rule.id] ?? Hit(rule: rule.id, ruleClass: rule.ruleClass)
        if hit.count == 0 {
            hit.firstFields = redactor.redact(classification.fields)
            hit.firstLine = record.line
            hit.firstSource = record.source
        }
        hit.count += 1
        hit.fieldNames.formUnion(classification.fields.keys)
        hits[rule.id] = hit
    }

    /// Hits by rule, most first, with the fields each read; then the misses.
    public func render(style: TextStyle, printMissed: Bool, lines: Int) -> String {
        var out: [String] = []
        out.append(style.bold("Records") + ": \(lines) lines, \(records) records, \(matched) matched by \(hits.count) rules, "
                   + "\(missCount) missed (error-looking, no rule matched)")
        out.append("")
        out.append(style.bold("Hits by rule") + " (count, class, rule, fields read from the first hit at file:line)")
        if hits.isEmpty { out.append("  none") }
        for hit in hits.values.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0.rule < $1.rule }) {
            let fields = hit.firstFields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            out.append("  \(String(hit.count).leftPadding(5))  \(hit.ruleClass.rawValue.padding(8)) \(hit.rule)")
            out.append("         \(style.dim("at \(hit.firstSource):\(hit.firstLine)"))  \(fields.isEmpty ? style.dim("(no fields)") : fields)")
        }
        out.append("")
        out.append(style.bold("Missed") + ": \(missCount) error-looking record(s) matched no rule"
                   + (missCount > 0 && !printMissed ? " (--print-missed shows them)" : ""))
        if printMissed {
            for miss in misses {
                let text = miss.text.count > 600 ? String(miss.text.prefix(600)) + " …" : miss.text
                out.append("  " + style.dim("\(miss.source):\(miss.line) template \(miss.template)"))
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(12) { out.append("    " + line) }
            }
            if missCount > misses.count { out.append("  … and \(missCount - misses.count) more") }
        }
        return out.joined(separator: "\n")
    }
}
