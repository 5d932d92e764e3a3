/// A rule as written in its YAML file, before compilation.
public struct RuleSpec: Sendable {
    /// A pattern with the place it was written, so errors can point at it.
    public struct Pattern: Sendable {
        public var source: String
        public var line: Int
        /// The field path for error messages, e.g. `match[1]`.
        public var field: String
    }

    public struct Example: Sendable {
        public var text: String
        public var fields: [String: String]
        public var line: Int
    }

    public var file: String
    public var id: String
    public var ruleClass: IncidentClass
    public var origin: Origin
    public var severity: Severity
    public var title: String
    public var priority: Int
    public var match: [Pattern]
    public var unless: [Pattern]
    public var extract: [Pattern]
    public var fingerprint: [String]
    public var entry: Entry
    public var examples: [Example]
    public var counterexamples: [Example]
    /// Line of each top-level key, for error messages about the key as a whole.
    public var keyLines: [String: Int]

    public func line(of key: String) -> Int { keyLines[key] ?? 1 }
}

/// Every problem found while loading or compiling rules.
public struct RuleErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [RuleProblem]
    public init(problems: [RuleProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
