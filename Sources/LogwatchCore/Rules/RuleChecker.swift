/// `rules check`: runs every rule's own examples and counterexamples against the compiled
/// set, and refuses thin or boilerplate entries.
public struct RuleChecker {
    public struct Failure: Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var field: String
        public var message: String
        public var description: String { "\(file):\(line): \(field): \(message)" }
    }

    public struct Report: Sendable {
        public var rules = 0
        public var examples = 0
        public var counterexamples = 0
        public var failures: [Failure] = []
        public var passed: Bool { failures.isEmpty }
    }

    /// Sentences from generic troubleshooting pages that say nothing specific.
    public static let boilerplate = [
        "verify the account session", "apply one change at a time", "capture the exact error message",
        "check the litellm account, local tool state", "confirm the exact error signature",
        "review the source evidence", "keep the working fix documented", "treat it as a failed litellm workflow",
        "rerun the same command, editor action", "check your configuration", "contact support",
        "is a litellm failure pattern reported", "lorem ipsum", "todo", "tbd",
    ]

    let matcher: Matcher

    public init(ruleSet: RuleSet) {
        matcher = Matcher(ruleSet: ruleSet)
    }

    public func check() -> Report {
        var report = Report()
        let rules = matcher.ruleSet.rules
        report.rules = rules.count
        var meanings: [String: String] = [:]
        var fixes: [String: String] = [:]
        for rule in rules {
            let spec = rule.spec
            func fail(_ line: Int, _ field: String, _ message: String) {
                report.failures.append(Failure(file: spec.file, line: line, field: field, message: message))
            }
            for (i, example) in spec.examples.enumerated() {
                report.examples += 1
                let result = matcher.match(example.text)
                // A family example must also look like an error: that is when a family classes.
                let winner = result.winner?.id ?? result.benign?.id ?? (result.looksLikeError ? result.family?.id : nil)
                guard winner == spec.id else {
                    let got = winner.map { "rule '\($0)' wins" } ?? (result.matches.isEmpty ? "no rule matches" : "no rule wins")
                    fail(example.line, "examples[\(i)]", "must match this rule, but \(got)")
                    continue
                }
                for (name, expected) in example.fields.sorted(by: { $0.key < $1.key }) {
                    let got = result.fields[name]
                    if got != expected {
                        fail(example.line, "examples[\(i)].fields.\(name)", "expected '\(expected)', got \(got.map { "'\($0)'" } ?? "nothing")")
                    }
                }
            }
            for (i, counter) in spec.counterexamples.enumerated() {
                report.counterexamples += 1
                let result = matcher.match(counter.text)
                if result.matches.contains(spec.id) {
                    fail(counter.line, "counterexamples[\(i)]", "must not match this rule, but it does")
                }
            }
            checkEntry(spec, fail: fail)
            if spec.ruleClass != .benign {
                let meaning = spec.entry.meaning.lowercased(), fix = spec.entry.quickFix.lowercased()
                if let other = meanings[meaning] {
                    fail(spec.line(of: "entry"), "entry.meaning", "identical to the meaning of '\(other)': write what is specific to this signature")
                }
                if let other = fixes[fix] {
                    fail(spec.line(of: "entry"), "entry.quick_fix", "identical to the quick fix of '\(other)'")
                }
                meanings[meaning] = spec.id
                fixes[fix] = spec.id
            }
        }
        return report
    }

    func checkEntry(_ spec: RuleSpec, fail: (Int, String, String) -> Void) {
        let entry = spec.entry
        let line = spec.line(of: "entry")
        var texts: [(String, String)] = [("summary", entry.summary), ("meaning", entry.meaning)]
        if spec.ruleClass != .benign {
            texts.append(("quick_fix", entry.quickFix))
            for (key, items) in [("causes", entry.causes), ("checks", entry.checks), ("steps", entry.steps),
                                 ("prevention", entry.prevention)] {
                if items.count < Entry.minimumItems[key]! {
                    fail(line, "entry.\(key)", "needs at least \(Entry.minimumItems[key]!) items, has \(items.count)")
                }
                for (i, item) in items.enumerated() {
                    texts.append(("\(key)[\(i)]", item))
                    if item.count < 15 { fail(line, "entry.\(key)[\(i)]", "too thin to help (\(item.count) characters)") }
                }
            }
            if entry.references.count < 1 { fail(line, "entry.references", "needs at least one public reference") }
            if entry.faq.count < 2 { fail(line, "entry.faq", "needs at least 2 questions, has \(entry.faq.count)") }
            for (i, q) in entry.faq.enumerated() { texts.append(("faq[\(i)]", q.q + " " + q.a)) }
            if entry.quickFix.count < 20 { fail(line, "entry.quick_fix", "too thin: give concrete config or commands") }
        }
        if entry.summary.count < 20 { fail(line, "entry.summary", "too thin (\(entry.summary.count) characters)") }
        if entry.meaning.count < 60 { fail(line, "entry.meaning", "too thin (\(entry.meaning.count) characters)") }
        for (field, text) in texts {
            let lower = text.lowercased()
            if let phrase = Self.boilerplate.first(where: { lower.contains($0) }) {
                fail(line, "entry.\(field)", "boilerplate ('\(phrase)'): say what is specific to this signature")
            }
        }
    }
}
