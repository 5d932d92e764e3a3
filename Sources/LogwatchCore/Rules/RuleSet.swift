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
    /// The names the shared extractors capture, each with one bit (at most 64; past that,
    /// `extractorNames` is empty and every extractor runs), and per extractor the bits of its
    /// names: `Matcher.fields` skips an extractor whose fields are all found without hashing
    /// their names for every record.
    let extractorNameBits: [String: UInt64]
    let extractorNames: [UInt64]
    /// No expression uses an anchor that tells a lone record from the same record inside a
    /// block of records (`\A`, `\z`, `\Z`, `\G`): `Matcher.candidates` may scan blocks.
    let blockScanSafe: Bool
    /// Per slot: an exact (non-prefilter) match pattern of a benign rule.
    let benignExact: [Bool]
    /// Per slot: a match pattern of a family rule.
    let familySlot: [Bool]

    init(rules: [CompiledRule], database: HyperscanDatabase, slots: [Slot], specificity: [Int],
         extractors: [(PCRE2Pattern, Bool)]) {
        self.rules = rules
        self.database = database
        self.slots = slots
        self.specificity = specificity
        self.extractors = extractors
        var bits: [String: UInt64] = [:]
        for (pattern, _) in extractors {
            for (name, _) in pattern.names where bits[name] == nil && bits.count < 64 { bits[name] = 1 << UInt64(bits.count) }
        }
        let names = extractors.map { $0.0.names.reduce(UInt64(0)) { $0 | (bits[$1.name] ?? 0) } }
        let complete = extractors.allSatisfy { $0.0.names.allSatisfy { bits[$0.name] != nil } }
        self.extractorNameBits = complete ? bits : [:]
        self.extractorNames = complete ? names : []
        self.blockScanSafe = !database.expressions.contains { Self.hasAbsoluteAnchor($0.pattern) }
        self.benignExact = slots.indices.map { slot in
            guard case .match(let rule, _) = slots[slot] else { return false }
            return rules[rule].ruleClass == .benign && !database.expressions[slot].prefilter
        }
        self.familySlot = slots.map { slot in
            guard case .match(let rule, _) = slot else { return false }
            return rules[rule].isFamily
        }
    }

    /// Whether the pattern can tell a record alone from the same record inside a block:
    /// `\A`, `\z`, `\Z`, `\G`, or an inline group that turns multi-line mode off (`(?-m)`,
    /// `(?^)`), after which `^` and `$` mean the ends of the whole text.
    static func hasAbsoluteAnchor(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                if e == UInt8(ascii: "A") || e == UInt8(ascii: "z") || e == UInt8(ascii: "Z") || e == UInt8(ascii: "G") {
                    return true
                }
                i += 2
                continue
            }
            if c == UInt8(ascii: "("), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "?") {
                var j = i + 2
                var negated = false
                while j < bytes.count, bytes[j] != UInt8(ascii: ")"), bytes[j] != UInt8(ascii: ":") {
                    let f = bytes[j]
                    if f == UInt8(ascii: "^") || f == UInt8(ascii: "-") { negated = true }
                    if negated && f == UInt8(ascii: "m") { return true }
                    if f == UInt8(ascii: "^") && j == i + 2 { return true }
                    // Only flag letters belong here; anything else is another kind of group.
                    if !(f == UInt8(ascii: "-") || f == UInt8(ascii: "^") || (f >= 0x61 && f <= 0x7A) || (f >= 0x41 && f <= 0x5A)) {
                        break
                    }
                    j += 1
                }
            }
            i += 1
        }
        return false
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
        // httpx logs the provider's refusals at INFO: `HTTP Request: POST <url> "HTTP/1.1 401 Unauthorized"`.
        // The quote before `HTTP/` tells it from a uvicorn access line (`... HTTP/1.1" 401`). Only the
        // statuses whose class the status alone decides (401/403 auth, 429 quota, 5xx runtime): a 400
        // or 404 body decides its class (a usage limit is quota), and only LiteLLM's own line has it.
        #"HTTP Request: [A-Z]+ \S+ "HTTP/[0-9.]+ (?:40[13]|429|5[0-9][0-9]) "#,
    ]
}
