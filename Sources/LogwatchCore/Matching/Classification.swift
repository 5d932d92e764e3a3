/// What logwatch concluded about one record.
public struct Classification: Sendable {
    public var record: LogRecord
    /// The winning rule; nil for an unknown (error-looking, unmatched) record.
    public var rule: CompiledRule?
    public var ruleClass: IncidentClass
    public var fields: [String: String]
    /// Every rule that matched, winner first.
    public var matches: [String]
    /// For unknown records: the stable template id and the masked template.
    public var template: (id: String, text: String)?

    /// LiteLLM's normalized error code (`LiteLLMCode`), e.g. `401_AUTHENTICATION_FAILED`.
    public var litellmCode: String? { fields["litellm_code"] }

    /// The rule id, or `unknown` for unmatched error-looking records.
    public var ruleID: String { rule?.id ?? "unknown" }
    public var severity: Severity { rule?.severity ?? .warning }
    public var title: String {
        if let rule { return rule.title }
        return "Unrecognised error: \(template?.text.prefix(120) ?? "")"
    }

    /// Field values that split incidents: the rule's fingerprint fields, or the template id.
    public var fingerprintValues: [String] {
        if let rule { return rule.spec.fingerprint.map { fields[$0] ?? "" } }
        return [template?.id ?? ""]
    }
}

/// Classifies framed records with a rule set; benign and ordinary records give nil.
public final class Classifier {
    public let matcher: Matcher

    public init(ruleSet: RuleSet) {
        matcher = Matcher(ruleSet: ruleSet)
    }

    public var ruleSet: RuleSet { matcher.ruleSet }

    /// Classifies a block of records (one read of a file, say) with the same results as
    /// `classify(_:)` on each: one Hyperscan scan picks the records that can match anything, and
    /// only those, plus error-level ones, take the per-record path.
    public func classify(batch records: [LogRecord], _ body: (Classification) -> Void) {
        let hot = matcher.candidates(records)
        for (i, record) in records.enumerated() where hot?[i] ?? .any == .any || record.isErrorLevel {
            if let classification = classify(record) { body(classification) }
        }
    }

    public func classify(_ record: LogRecord) -> Classification? {
        let result = matcher.match(record.text)
        func ruled(_ rule: CompiledRule) -> Classification {
            var fields = result.fields
            if fields["request_id"] == nil, let callID = record.attributes["litellm_call_id"] { fields["request_id"] = callID }
            Self.addLiteLLMCode(&fields, record, origin: rule.spec.origin)
            return Classification(record: record, rule: rule, ruleClass: rule.ruleClass, fields: fields,
                                  matches: result.matches, template: nil)
        }
        if let rule = result.winner { return ruled(rule) }
        if result.benign != nil { return nil }
        guard result.looksLikeError || record.isErrorLevel else { return nil }
        if let family = result.family { return ruled(family) }
        let template = UnknownTemplate.make(record)
        var fields = ["template_id": template.id]
        Self.addLiteLLMCode(&fields, record, origin: nil)
        return Classification(record: record, rule: nil, ruleClass: .unknown, fields: fields,
                              matches: [], template: (template.id, template.template))
    }

    /// LiteLLM's `normalized_error` for the record (and the rate-limit category of a 429), as
    /// fields: they then travel with the incident into every notice.
    static func addLiteLLMCode(_ fields: inout [String: String], _ record: LogRecord, origin: Origin?) {
        let verdict = LiteLLMCode.verdict(text: record.string, fields: fields, origin: origin)
        fields["litellm_code"] = verdict.code
        if let category = verdict.rateLimitCategory { fields["rate_limit_category"] = category }
    }
}
