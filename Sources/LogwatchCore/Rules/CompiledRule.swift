/// A rule ready to run: its spec plus PCRE2 programs for confirmation and captures.
public final class CompiledRule: Sendable {
    public let spec: RuleSpec
    public let index: Int
    let match: [PCRE2Pattern]
    let unless: [PCRE2Pattern]
    let extract: [PCRE2Pattern]

    init(spec: RuleSpec, index: Int, match: [PCRE2Pattern], unless: [PCRE2Pattern], extract: [PCRE2Pattern]) {
        self.spec = spec
        self.index = index
        self.match = match
        self.unless = unless
        self.extract = extract
    }

    public var id: String { spec.id }
    public var ruleClass: IncidentClass { spec.ruleClass }
    public var severity: Severity { spec.severity }
    public var title: String { spec.title }
    public var entry: Entry { spec.entry }
    public var isFamily: Bool { spec.tier == .family }

    /// Field names this rule's own patterns capture.
    public var capturedNames: Set<String> {
        Set((match + extract).flatMap { $0.names.map(\.name) })
    }
}
