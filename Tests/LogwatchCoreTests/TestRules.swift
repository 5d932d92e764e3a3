import LogwatchCore

/// Builds a small rule set from inline YAML, for tests of the engine rather than the catalogue.
enum TestRules {
    static func yaml(id: String, cls: String = "auth", priority: Int = 0, match: [String], unless: [String] = [],
                     fingerprint: [String] = [], example: String = "x", tier: String? = nil) -> String {
        """
        id: \(id)
        class: \(cls)
        \(tier.map { "tier: \($0)" } ?? "")
        origin: provider
        severity: error
        title: Test rule \(id)
        priority: \(priority)
        match:
        \(match.map { "  - '\($0.replacingQuote)'" }.joined(separator: "\n"))
        \(unless.isEmpty ? "" : "unless:\n" + unless.map { "  - '\($0.replacingQuote)'" }.joined(separator: "\n"))
        fingerprint: [\(fingerprint.joined(separator: ", "))]
        entry:
          summary: A test summary that is long enough.
          meaning: A test meaning that is long enough to pass the length check of the checker.
          causes: [first cause of the test failure, second cause of the test failure]
          checks: [first check that tells them apart, second check that tells them apart]
          quick_fix: do the concrete thing \(id)
          steps: [first step of the fix here, second step of the fix here, third step of the fix here]
          prevention: [first way to prevent it here, second way to prevent it here]
          references: [{title: Docs, url: "https://docs.litellm.ai/docs/"}]
          faq: [{q: first question?, a: first answer.}, {q: second question?, a: second answer.}]
        examples:
          - '\(example.replacingQuote)'
        counterexamples:
          - 'nothing to see here'
        """
    }

    static func compile(_ rules: [(String, String)]) throws -> RuleSet {
        let (specs, problems) = RuleLoader().load(files: rules.map { (path: "Rules/\($0.0)", contents: $0.1) })
        if !problems.isEmpty { throw RuleErrors(problems: problems) }
        return try RuleCompiler().compile(specs)
    }
}

extension String {
    var replacingQuote: String { split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") }
}
