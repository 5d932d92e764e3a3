/// Every compiled rule, the one Hyperscan database that detects them all, and the shared
/// field extractors. Immutable; share it across threads and give each a `Matcher`.
public final class RuleSet: Sendable {
    /// What one Hyperscan expression id stands for.
    enum Slot: Sendable {
        case match(rule: Int, pattern: Int)
        case unless(rule: Int, pattern: Int)
        /// A sign that a record looks like an error, for the unknown-error detector.
        case errorLook
    }

    public let rules: [CompiledRule]
    let database: HyperscanDatabase
    let slots: [Slot]
    /// Pattern source length per match slot: the tie-breaker "most specific".
    let specificity: [Int]
    let extractors: [(PCRE2Pattern, Bool)]

    init(rules: [CompiledRule], database: HyperscanDatabase, slots: [Slot], specificity: [Int],
         extractors: [(PCRE2Pattern, Bool)]) {
        self.rules = rules
        self.database = database
        self.slots = slots
        self.specificity = specificity
        self.extractors = extractors
    }

    public func rule(id: String) -> CompiledRule? { rules.first { $0.id == id } }

    /// Whether a slot ran as a Hyperscan prefilter and so needs PCRE2 to confirm.
    func isPrefilter(_ slot: Int) -> Bool { database.expressions[slot].prefilter }

    /// Number of patterns Hyperscan could not run exactly.
    public var prefilterCount: Int { database.expressions.filter(\.prefilter).count }

    /// Signs that a record looks like an error although no rule matched it.
    static let errorLookPatterns = [
        #"Traceback \(most recent call last\)"#,
        #"\b[A-Z][A-Za-z0-9_]*(?:Error|Exception|Exit)\b(?::|\(|$)"#,
        #"Exception occur+ed"#,
        #"\b(?:ERROR|CRITICAL|FATAL)\b"#,
    ]
}
