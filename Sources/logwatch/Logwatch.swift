import ArgumentParser
import LogwatchCore
import LogwatchIO

/// The root command: without a subcommand it follows files or standard input.
struct Logwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logwatch",
        abstract: "Watch LiteLLM proxy logs and explain, in plain words, what broke and how to fix it.",
        discussion: """
        Examples:
          logwatch --follow /var/log/litellm.log
          docker logs -f litellm 2>&1 | logwatch --stdin
          logwatch scan proxy.log --json
          logwatch explain --line 'litellm.AuthenticationError: AzureException AuthenticationError - ...'
          logwatch rules check
        """,
        subcommands: [ScanCommand.self, ExplainCommand.self, RulesCommand.self, EntriesCommand.self, ConfigCommand.self])

    @Option(name: .customLong("follow"), parsing: .upToNextOption, help: "Follow these files (tail -F).")
    var follow: [String] = []

    @Flag(name: .customLong("stdin"), help: "Read records from standard input.")
    var stdin = false

    @Flag(name: .customLong("from-start"), help: "Read followed files from their start instead of their end.")
    var fromStart = false

    @Option(name: .customLong("idle-ms"), help: "A record ends after this many milliseconds without new lines.")
    var idleMilliseconds = 200

    @OptionGroup var common: CommonOptions

    func run() throws {
        // Checked here, not in validate(): ArgumentParser validates parent commands of a subcommand too.
        if follow.isEmpty && !stdin {
            throw ValidationError("Nothing to read: give --follow FILE..., --stdin, or a subcommand (see --help).")
        }
        let ruleSet = try common.loadRules()
        var configuration = Watcher.Configuration()
        configuration.json = common.json
        configuration.links = common.links
        configuration.idleTimeout = Double(idleMilliseconds) / 1000
        let watcher = Watcher(ruleSet: ruleSet, configuration: configuration)
        for path in follow { watcher.addFile(path, fromStart: fromStart) }
        if stdin { watcher.addStandardInput() }
        watcher.run()
    }
}

/// Options every reading command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A rule directory (repeatable). Default: the shipped Rules/.")
    var rules: [String] = []

    @Flag(name: .customLong("json"), help: "Write NDJSON, one object per matched record.")
    var json = false

    @Option(name: .customLong("links-base-url"), help: "Base URL of the published entries ({base}/{class}/{id}.html).")
    var linksBaseURL: String?

    var links: EntryLinks { EntryLinks(baseURL: linksBaseURL) }

    /// Loads and compiles the rules; every problem is printed and the exit code is 2.
    func loadRules() throws -> RuleSet {
        do {
            return try RuleDirectory.load(rules).ruleSet
        } catch let errors as RuleErrors {
            Output.err("logwatch: the rules have \(errors.problems.count) problem(s):")
            for problem in errors.problems { Output.err("  \(problem)") }
            throw ExitCode(2)
        } catch {
            Output.err("logwatch: \(error)")
            throw ExitCode(2)
        }
    }
}
