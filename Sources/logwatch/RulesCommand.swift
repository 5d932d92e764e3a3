import ArgumentParser
import Foundation
import LogwatchCore
import LogwatchIO

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Validate, list and export the signature rules.",
        discussion: """
        Examples:
          logwatch rules check
          logwatch rules list --json
          logwatch rules patterns > patterns.txt && rg -c -f patterns.txt proxy.log
        """,
        subcommands: [Check.self, List.self, Patterns.self, Compile.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate rules, then run every rule's examples and counterexamples.",
            discussion: """
            Exit code 0 when every rule passes, 1 when a check fails, 2 when a rule does not load.
            Examples:
              logwatch rules check
              logwatch rules check /etc/logwatch/rules.d
            """)

        @Argument(help: "Rule directories (default: the shipped Rules/).")
        var directories: [String] = []

        func run() throws {
            let options = try CommonOptions.parse(directories.flatMap { ["--rules", $0] })
            let ruleSet = try options.loadRules()
            let report = RuleChecker(ruleSet: ruleSet).check()
            for failure in report.failures { Output.out("FAIL \(failure)") }
            let byClass = IncidentClass.ruleClasses.map { cls in "\(cls.rawValue) \(ruleSet.rules.filter { $0.ruleClass == cls }.count)" }
            Output.out("\(report.rules) rules (\(byClass.joined(separator: ", "))), \(report.examples) examples, "
                       + "\(report.counterexamples) counterexamples, \(ruleSet.prefilterCount) prefilter patterns")
            let failedRules = Set(report.failures.map(\.file)).count
            Output.out("\(report.rules - failedRules) passed, \(failedRules) failed")
            if !report.passed { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List rules: id, class, severity, title.",
            discussion: """
            Examples:
              logwatch rules list
              logwatch rules list --rules /etc/logwatch/rules.d --json
            """)
        @OptionGroup var common: CommonOptions

        func run() throws {
            let ruleSet = try common.loadRules()
            for rule in ruleSet.rules.sorted(by: { ($0.ruleClass, $0.id) < ($1.ruleClass, $1.id) }) {
                if common.json {
                    Output.out(JSONWriter.write(.object([
                        ("id", .string(rule.id)), ("class", .string(rule.ruleClass.rawValue)),
                        ("severity", .string(rule.severity.rawValue)), ("origin", .string(rule.spec.origin.rawValue)),
                        ("priority", .int(rule.spec.priority)), ("title", .string(rule.title)),
                    ])))
                } else {
                    Output.out("\(rule.id.padding(48)) \(rule.ruleClass.rawValue.padding(8)) \(rule.severity.rawValue.padding(9)) \(rule.title)")
                }
            }
        }
    }

    struct Patterns: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every detection pattern, one per line (for grep -E -f or rg -f).",
            discussion: """
            Named groups are written as plain groups so other engines accept them.
            Examples:
              logwatch rules patterns > patterns.txt
              grep -E -c -f patterns.txt /var/log/litellm.log
            """)
        @OptionGroup var common: CommonOptions

        func run() throws {
            let ruleSet = try common.loadRules()
            for rule in ruleSet.rules where rule.ruleClass != .benign {
                for pattern in rule.spec.match { Output.out(RuleCompiler.hyperscanForm(pattern.source)) }
            }
        }
    }

    /// Diagnostic for `make bench`: how long reading, parsing and compiling a rule set takes.
    struct Compile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and compile rules, and print how long each step took (for benchmarks).",
            shouldDisplay: false)
        @Argument(help: "Rule directories (default: the shipped Rules/).")
        var directories: [String] = []

        @Flag(name: .customLong("no-cache"), help: "Compile from scratch instead of loading a cached database.")
        var noCache = false

        func run() throws {
            var dirs = directories
            if dirs.isEmpty {
                guard let shipped = RuleDirectory.shipped() else { throw RuleDirectory.LoadError.noShippedRules }
                dirs = [shipped]
            }
            let clock = ContinuousClock()
            let t0 = clock.now
            var files: [(path: String, contents: String)] = []
            for dir in dirs { files += try RuleDirectory.files(in: dir) }
            let t1 = clock.now
            let (specs, problems) = RuleLoader().load(files: files)
            let t2 = clock.now
            for problem in problems { Output.err("  \(problem)") }
            let ruleSet = try RuleCompiler(cache: noCache ? nil : FileDatabaseCache.standard()).compile(specs)
            let t3 = clock.now
            func ms(_ d: Duration) -> String {
                let (s, atto) = d.components
                return String(format: "%.1f", Double(s) * 1000 + Double(atto) / 1e15)
            }
            let patterns = specs.reduce(0) { $0 + $1.match.count + $1.unless.count }
            Output.out("\(ruleSet.rules.count) rules, \(patterns) patterns: read \(ms(t1 - t0)) ms, parse \(ms(t2 - t1)) ms, "
                       + "compile \(ms(t3 - t2)) ms, total \(ms(t3 - t0)) ms (\(noCache ? "no cache" : "cache allowed"))")
        }
    }
}
