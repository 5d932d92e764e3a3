// Matching/: records to `Classification` (Hyperscan and PCRE2 wrappers, Matcher, Classifier,
// RecordGate, Redactor, UnknownTemplate). Pure core. May use: CHyperscan, CPCRE2, CLineScan, Rules/.
// The map of all rooms: docs/architecture.md.

/// Runs a `RuleSet` over records: one Hyperscan pass finds every candidate rule, PCRE2
/// confirms prefilter candidates and reads named captures for the winning rule only.
///
/// Not thread-safe (it owns Hyperscan scratch space): one `Matcher` per thread or task.
public final class Matcher {
    public let ruleSet: RuleSet
    private let scanner: HyperscanScanner
    /// PCRE2 calls that hit the match or depth limit (treated as no match).
    public private(set) var limitHits = 0
    /// Reused by `candidates(_:)`: the records of one block joined by newlines.
    private var batch: [UInt8] = []

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        self.scanner = HyperscanScanner(database: ruleSet.database)
    }

    /// The outcome for one record.
    public struct Result: Sendable {
        /// The rule that won (highest priority, then most specific), if any non-benign rule matched.
        public var winner: CompiledRule?
        /// Fields read for the winner (rule captures first, then the shared extractors).
        public var fields: [String: String]
        /// Every rule that matched, winner first.
        public var matches: [String]
        /// A benign rule that won: the record is known to be harmless (chatter that quotes an
        /// exception, a warning with a known harmless cause). Benign rules compete by priority.
        public var benign: CompiledRule?
        /// The record looks like an error (level, traceback, exception name).
        public var looksLikeError: Bool
    }

    public func match(_ text: [UInt8]) -> Result {
        text.withUnsafeBytes { match(bytes: $0) }
    }

    public func match(_ text: String) -> Result {
        match(Array(text.utf8))
    }

    public func match(bytes: UnsafeRawBufferPointer) -> Result {
        let ids = scanner.scan(bytes)
        var result = Result(winner: nil, fields: [:], matches: [], benign: nil, looksLikeError: false)
        if ids.isEmpty { return result }

        // Per candidate rule: the most specific confirmed pattern, and whether an unless hit.
        var best: [Int: (specificity: Int, pattern: Int)] = [:]
        var vetoed: Set<Int> = []
        for id in ids {
            let slot = Int(id)
            switch ruleSet.slots[slot] {
            case .errorLook:
                result.looksLikeError = true
            case .unless(let rule, let pattern):
                if !ruleSet.isPrefilter(slot) || confirm(ruleSet.rules[rule].unless[pattern], bytes) {
                    vetoed.insert(rule)
                }
            case .match(let rule, let pattern):
                if ruleSet.isPrefilter(slot), !confirm(ruleSet.rules[rule].match[pattern], bytes) { continue }
                let specificity = ruleSet.specificity[slot]
                if let current = best[rule], current.specificity >= specificity { continue }
                best[rule] = (specificity, pattern)
            }
        }
        let candidates = best.keys.filter { !vetoed.contains($0) }.sorted { a, b in
            let ra = ruleSet.rules[a].spec, rb = ruleSet.rules[b].spec
            if ra.priority != rb.priority { return ra.priority > rb.priority }
            if best[a]!.specificity != best[b]!.specificity { return best[a]!.specificity > best[b]!.specificity }
            return ra.id < rb.id
        }
        result.matches = candidates.map { ruleSet.rules[$0].id }
        guard let first = candidates.first else { return result }
        let rule = ruleSet.rules[first]
        if rule.ruleClass == .benign {
            result.benign = rule
            return result
        }
        result.winner = rule
        result.fields = fields(for: rule, pattern: best[first]!.pattern, bytes)
        return result
    }

    /// What a block scan says about one record.
    public enum Candidate: UInt8, Sendable {
        /// Nothing matched: the record can only be an unknown error (by its level).
        case none
        /// Only exact (non-prefilter) patterns of benign rules matched: a benign rule wins
        /// whenever any of them matches on its own, so the record is quiet unless its level
        /// makes it an unknown error.
        case benignOnly
        /// Anything else: take the per-record path.
        case any
    }

    /// Which records can match anything at all (a rule pattern or an error look), decided by one
    /// Hyperscan scan over the records joined by newlines instead of one scan per record.
    ///
    /// May over-match, never under-match: each record's text appears verbatim in the joined
    /// block, between newlines, so any match inside a record is also a match in the block and
    /// ends inside that record's bytes (`^`, `$` and `\b` see a newline where a lone record
    /// has its start or end, which they treat alike). A match that spans two records only marks
    /// a record that the per-record path then rejects. Rule sets with anchors that do tell the
    /// two apart (`\A`, `\z`, `\Z`, `\G`) get nil: every record is a candidate.
    public func candidates(_ records: [LogRecord]) -> [Candidate]? {
        guard ruleSet.blockScanSafe, !records.isEmpty else { return records.isEmpty ? [] : nil }
        batch.removeAll(keepingCapacity: true)
        var separators: [Int] = []
        separators.reserveCapacity(records.count)
        for record in records {
            batch += record.text
            separators.append(batch.count)
            batch.append(0x0A)
        }
        guard let ends = batch.withUnsafeBytes({ scanner.scanEnds($0) }) else { return nil }
        var hot = [Candidate](repeating: .none, count: records.count)
        for (id, end) in ends {
            // The match's last byte is at end - 1; record i owns the bytes up to its separator.
            let last = end - 1
            var low = 0, high = separators.count - 1
            while low < high {
                let mid = (low + high) / 2
                if separators[mid] >= last { high = mid } else { low = mid + 1 }
            }
            if hot[low] == .any { continue }
            hot[low] = ruleSet.benignExact[Int(id)] ? .benignOnly : .any
        }
        // A large block is not kept between calls.
        if batch.capacity > 4 << 20 { batch = [] }
        return hot
    }

    private func confirm(_ pattern: PCRE2Pattern, _ bytes: UnsafeRawBufferPointer) -> Bool {
        switch pattern.firstMatch(in: bytes) {
        case .match: return true
        case .noMatch: return false
        case .limitExceeded:
            limitHits += 1
            return false
        }
    }

    /// Rule captures first (the pattern that matched, then the others, then `extract`),
    /// then the shared extractors for fields still missing.
    func fields(for rule: CompiledRule, pattern: Int, _ bytes: UnsafeRawBufferPointer) -> [String: String] {
        var fields: [String: String] = [:]
        // Bits of the shared extractors' names found so far (`RuleSet.extractorNameBits`).
        var found: UInt64 = 0
        func absorb(_ captures: [String: String]?) {
            for (name, value) in captures ?? [:] where fields[name] == nil && !value.isEmpty {
                if let value = CommonFields.normalise(name, value) {
                    fields[name] = value
                    found |= ruleSet.extractorNameBits[name] ?? 0
                }
            }
        }
        absorb(rule.match[pattern].captures(in: bytes))
        for (i, other) in rule.match.enumerated() where i != pattern && !other.names.isEmpty {
            absorb(other.captures(in: bytes))
        }
        for extractor in rule.extract { absorb(extractor.captures(in: bytes)) }
        let byBits = !ruleSet.extractorNames.isEmpty
        for (index, (extractor, last)) in ruleSet.extractors.enumerated() {
            if byBits {
                let names = ruleSet.extractorNames[index]
                if names & found == names { continue }
            } else if extractor.names.allSatisfy({ fields[$0.name] != nil }) {
                continue
            }
            absorb(last ? lastCaptures(extractor, bytes) : extractor.captures(in: bytes))
        }
        return fields
    }

    /// Captures of the last match in the text (the innermost exception of a chain).
    private func lastCaptures(_ pattern: PCRE2Pattern, _ bytes: UnsafeRawBufferPointer) -> [String: String]? {
        var offset = 0
        var lastStart: Int?
        while offset < bytes.count, case .match(let start, let end) = pattern.firstMatch(in: bytes, from: offset) {
            lastStart = start
            offset = max(end, start + 1)
        }
        guard let lastStart else { return nil }
        return pattern.captures(in: UnsafeRawBufferPointer(rebasing: bytes[lastStart...]))
    }
}
