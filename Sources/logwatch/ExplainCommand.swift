import ArgumentParser
import LogwatchCore
import LogwatchIO

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print a troubleshooting entry, or classify a text and print its entry.",
        discussion: """
        Examples:
          logwatch explain azure-auth-401
          logwatch explain --line 'Authentication Error, Invalid proxy server token passed. ...'
          logwatch explain --line '...' --json
        """)

    @Argument(help: "A rule id (see 'logwatch rules list').")
    var ruleID: String?

    @Option(name: .customLong("line"), help: "A log text to classify (multi-line allowed).")
    var line: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if (ruleID == nil) == (line == nil) {
            throw ValidationError("Give either a RULE-ID or --line TEXT.")
        }
    }

    func run() throws {
        let ruleSet = try common.loadRules()
        if let ruleID {
            guard let rule = ruleSet.rule(id: ruleID) else {
                Output.err("logwatch: no rule with id '\(ruleID)' (see 'logwatch rules list')")
                throw ExitCode(2)
            }
            Output.out(EntryRenderer.text(rule, style: TextStyle(colour: Output.colourOnStdout)))
            return
        }
        let classifier = Classifier(ruleSet: ruleSet)
        let redactor = Redactor()
        let classified = Framer.records(in: line!, source: "<line>").compactMap { classifier.classify($0) }
        if common.json {
            for c in classified { Output.out(RecordJSON.render(c, redactor: redactor, links: common.links)) }
            return
        }
        if classified.isEmpty {
            Output.out("No signature matched, and the text does not look like an error.")
            return
        }
        for c in classified {
            if let rule = c.rule {
                Output.out("Matched \(rule.id) (class \(rule.ruleClass.rawValue))"
                           + (c.fields.isEmpty ? "" : ", fields: " + redactor.redact(c.fields).sorted { $0.key < $1.key }
                                .map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
                if c.matches.count > 1 { Output.out("Also matched: \(c.matches.dropFirst().joined(separator: ", "))") }
                Output.out("")
                Output.out(EntryRenderer.text(rule, style: TextStyle(colour: Output.colourOnStdout)))
            } else {
                Output.out("No rule knows this error yet. It would be reported as class unknown, template \(c.template?.id ?? ""):")
                Output.out("  " + redactor.redact(c.template?.text ?? ""))
            }
        }
    }
}
