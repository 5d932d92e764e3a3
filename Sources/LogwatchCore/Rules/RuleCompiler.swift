// Rules/: rule files to a compiled `RuleSet` (RuleSpec, RuleLoader, RuleCompiler, RuleChecker,
// IncidentClass, Entry). Pure core. May use: Yams, Matching/ (the engines it compiles into).
// The map of all rooms: docs/architecture.md.

/// Compiles rule specs into a `RuleSet`: parse, then compile, then run.
///
/// Every problem is collected (a pattern Hyperscan or PCRE2 rejects, a fingerprint field no
/// pattern captures) and thrown together, each with its file, line and field.
public struct RuleCompiler: Sendable {
    /// Where compiled Hyperscan databases are kept between runs (nil: always compile).
    public var cache: (any HyperscanDatabaseCache)?

    public init(cache: (any HyperscanDatabaseCache)? = nil) {
        self.cache = cache
    }

    public func compile(_ specs: [RuleSpec]) throws(RuleErrors) -> RuleSet {
        // The shared extractors are fixed in code and covered by tests; a failure is a bug.
        let extractors = CommonFields.extractors.map { (try! PCRE2Pattern($0.pattern), $0.last) }
        let commonNames = Set(extractors.flatMap { $0.0.names.map(\.name) })
        var problems: [RuleProblem] = []
        var rules: [CompiledRule] = []
        for spec in specs {
            func pcre(_ patterns: [RuleSpec.Pattern]) -> [PCRE2Pattern] {
                patterns.compactMap { (pattern: RuleSpec.Pattern) -> PCRE2Pattern? in
                    do {
                        let compiled = try PCRE2Pattern(pattern.source)
                        if pattern.field.hasPrefix("match"), compiled.matchesEmptyText() {
                            problems.append(RuleProblem(file: spec.file, line: pattern.line, field: pattern.field,
                                                        message: "the pattern matches empty text, so it would match every record"))
                            return nil
                        }
                        return compiled
                    } catch let error as PCRE2Pattern.CompileError {
                        problems.append(RuleProblem(file: spec.file, line: pattern.line, field: pattern.field,
                                                    message: "PCRE2 rejects the pattern at offset \(error.offset): \(error.reason)"))
                        return nil
                    } catch {
                        return nil
                    }
                }
            }
            let match = pcre(spec.match), unless = pcre(spec.unless), extract = pcre(spec.extract)
            let rule = CompiledRule(spec: spec, index: rules.count, match: match, unless: unless, extract: extract)
            let available = rule.capturedNames.union(commonNames)
            for name in spec.fingerprint where !available.contains(name) {
                problems.append(RuleProblem(file: spec.file, line: spec.line(of: "fingerprint"), field: "fingerprint",
                                            message: "field '\(name)' is captured by no pattern of this rule and is not a common field"))
            }
            if match.count == spec.match.count && unless.count == spec.unless.count && extract.count == spec.extract.count {
                rules.append(rule)
            }
        }
        if !problems.isEmpty { throw RuleErrors(problems: problems) }

        var expressions: [HyperscanDatabase.Expression] = []
        var slots: [RuleSet.Slot] = []
        var specificity: [Int] = []
        var origins: [(spec: RuleSpec, pattern: RuleSpec.Pattern)?] = []
        func add(_ source: String, _ slot: RuleSet.Slot, _ origin: (RuleSpec, RuleSpec.Pattern)?) {
            expressions.append(.init(pattern: Self.hyperscanForm(source), id: UInt32(slots.count), prefilter: false))
            slots.append(slot)
            specificity.append(source.utf8.count)
            origins.append(origin)
        }
        for rule in rules {
            for (i, pattern) in rule.spec.match.enumerated() { add(pattern.source, .match(rule: rule.index, pattern: i), (rule.spec, pattern)) }
            for (i, pattern) in rule.spec.unless.enumerated() { add(pattern.source, .unless(rule: rule.index, pattern: i), (rule.spec, pattern)) }
        }
        for pattern in RuleSet.errorLookPatterns { add(pattern, .errorLook, nil) }
        // One compile for the whole set; a pattern Hyperscan refuses even as a prefilter is
        // reported against its file and line, and the rest is compiled again to find more.
        var database: HyperscanDatabase?
        let descriptor = cache == nil ? [] : CachedDatabase.descriptor(expressions)
        let key = cache == nil ? "" : CachedDatabase.key(descriptor)
        if let cache, let bytes = cache.load(key: key) {
            database = CachedDatabase.decode(bytes, descriptor: descriptor, expressions: expressions)
            if let database {
                return RuleSet(rules: rules, database: database, slots: slots, specificity: specificity, extractors: extractors)
            }
        }
        var remaining = Array(expressions.indices)
        while database == nil {
            do {
                database = try HyperscanDatabase(expressions: remaining.map { expressions[$0] })
            } catch {
                guard error.index >= 0, error.index < remaining.count, let origin = origins[remaining[error.index]] else {
                    throw RuleErrors(problems: problems + [RuleProblem(file: "(rule set)", line: 1, field: "match",
                                                                       message: "Hyperscan could not build the database: \(error.reason)")])
                }
                problems.append(RuleProblem(file: origin.spec.file, line: origin.pattern.line, field: origin.pattern.field,
                                            message: "Hyperscan rejects the pattern: \(error.reason)"))
                remaining.remove(at: error.index)
            }
        }
        if !problems.isEmpty { throw RuleErrors(problems: problems) }
        if let cache, let bytes = CachedDatabase.encode(descriptor: descriptor, database: database!) {
            cache.store(key: key, bytes: bytes)
        }
        return RuleSet(rules: rules, database: database!, slots: slots, specificity: specificity, extractors: extractors)
    }

    /// Hyperscan reports no captures, so named groups become plain groups for it.
    /// Escapes and character classes are skipped so `\(?<` and `[(?<]` stay as written.
    public static func hyperscanForm(_ source: String) -> String {
        PatternRewriter.rewrite(source) { bytes, i, out in
            guard bytes[i] == UInt8(ascii: "("), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "?") else { return nil }
            var j = i + 2
            if bytes[j] == UInt8(ascii: "P"), j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "<") { j += 1 }
            guard bytes[j] == UInt8(ascii: "<"), j + 1 < bytes.count,
                  bytes[j + 1] != UInt8(ascii: "="), bytes[j + 1] != UInt8(ascii: "!"),
                  let close = bytes[(j + 1)...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            out += Array("(?:".utf8)
            return close + 1
        }
    }
}
