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

    @Option(name: .customLong("follow"), parsing: .upToNextOption,
            help: "Follow these files or patterns (tail -F; patterns such as '/var/log/litellm/*.log' pick up new files).")
    var follow: [String] = []

    @Option(name: .customLong("docker"), help: "Follow a Docker container's json-file log (name or id; repeatable).")
    var docker: [String] = []

    @Option(name: .customLong("cri"), parsing: .upToNextOption,
            help: "Follow Kubernetes CRI container logs (e.g. '/var/log/containers/litellm-*.log').")
    var cri: [String] = []

    @Flag(name: .customLong("stdin"), help: "Read records from standard input.")
    var stdin = false

    @Flag(name: .customLong("from-start"), help: "Read followed files from their start instead of their end.")
    var fromStart = false

    @Flag(name: .customLong("from-end"), help: "Read followed files from their end (the default).")
    var fromEnd = false

    @Option(name: .customLong("idle-ms"), help: "A multi-line record ends after this many milliseconds without new lines.")
    var idleMilliseconds = 200

    @Option(name: .customLong("state-dir"),
            help: "Keep positions here and resume from them on the next start (default: no resuming for --follow).")
    var stateDirectory: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        // Checked here, not in validate(): ArgumentParser validates parent commands of a subcommand too.
        if follow.isEmpty && docker.isEmpty && cri.isEmpty && !stdin {
            throw ValidationError("Nothing to read: give --follow FILE..., --docker NAME, --cri PATTERN, --stdin, or a subcommand (see --help).")
        }
        if fromStart && fromEnd { throw ValidationError("--from-start and --from-end exclude each other.") }
        let ruleSet = try common.loadRules()
        var configuration = Watcher.Configuration()
        configuration.json = common.json
        configuration.links = common.links
        configuration.idleTimeout = Double(idleMilliseconds) / 1000
        configuration.stateDirectory = stateDirectory
        let watcher: Watcher
        do {
            watcher = try Watcher(ruleSet: ruleSet, configuration: configuration)
            for name in docker { watcher.addFile(try DockerLogs.logPath(container: name), fromStart: fromStart) }
        } catch {
            Output.err("logwatch: \(error)")
            throw ExitCode(2)
        }
        for path in follow { watcher.addFile(path, fromStart: fromStart) }
        for path in cri { watcher.addFile(path, fromStart: fromStart, format: .cri) }
        if stdin { watcher.addStandardInput() }
        let signals = SignalHandlers(watcher.pipeline)
        defer { signals.cancel() }
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
