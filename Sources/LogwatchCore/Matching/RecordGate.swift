/// The patterns `SparseFramer` runs over raw-but-cleaned lines to find the few that can lead to
/// output, so only the stretches around them are framed and classified.
///
/// It must never miss: a record the full path would report has to contain a gate hit. So it
/// holds every match pattern of a non-benign signature and every error-look pattern (the only ways a
/// record gets a rule or becomes an unknown error), with `^` and `$` removed (a JSON record's
/// text sits between quotes in its line, where anchors would fail), plus the JSON signs the
/// text view cannot show: an error level, a journal priority, a stack trace or a Docker `log`
/// key. Benign rules and `unless` patterns are left out: they can only silence a record.
public final class RecordGate: Sendable {
    let database: HyperscanDatabase

    /// JSON log lines whose level makes the record an error (`isErrorLevel` after uppercasing),
    /// and keys that make the record's text differ from any one value in the line. The level
    /// sign leaves out its key (`"level"`, `"levelname"`, `"severity"`): that only widens it,
    /// and with the key Hyperscan looked for `"level"`, in every JSON line (7 % of the gate).
    static let jsonSigns = [
        #":\s*"(?i:error|critical|fatal)""#,
        #""PRIORITY""#,
        #""stacktrace""#,
        #""exc_info""#,
        #""log""#,
    ]

    /// nil when the rule set cannot be gated exactly (absolute anchors, a pattern that becomes
    /// empty without its anchors): the caller then frames everything.
    public init?(ruleSet: RuleSet, cache: (any HyperscanDatabaseCache)? = nil) {
        guard ruleSet.blockScanSafe else { return nil }
        var expressions: [HyperscanDatabase.Expression] = []
        for (slot, expression) in ruleSet.database.expressions.enumerated() {
            switch ruleSet.slots[slot] {
            case .match(let rule, _) where ruleSet.rules[rule].ruleClass == .benign: continue
            // A family classes only records that look like errors, and every such record already
            // hits an error look or a JSON level sign here: the family's words would only add
            // hits (some, like `Error`, in many lines), never a record the gate would miss.
            case .match(let rule, _) where ruleSet.rules[rule].isFamily: continue
            case .unless: continue
            case .match, .errorLook: break
            }
            expressions.append(.init(pattern: Self.relaxed(expression.pattern), id: UInt32(expressions.count),
                                     prefilter: expression.prefilter))
        }
        for sign in Self.jsonSigns {
            expressions.append(.init(pattern: sign, id: UInt32(expressions.count), prefilter: false))
        }
        guard let database = try? HyperscanDatabase.compiled(expressions, cache: cache) else { return nil }
        self.database = database
    }

    /// The pattern without `^` and `$` (outside classes, escapes and `\Q...\E`). Dropping an
    /// assertion only widens what matches, so the gate stays a superset.
    static func relaxed(_ pattern: String) -> String {
        PatternRewriter.rewrite(pattern) { bytes, i, _ in
            bytes[i] == UInt8(ascii: "^") || bytes[i] == UInt8(ascii: "$") ? i + 1 : nil
        }
    }
}
