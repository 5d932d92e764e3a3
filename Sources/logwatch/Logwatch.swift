// logwatch: the executable, argument parsing and wiring only (one file per subcommand).
// May use: LogwatchIO, LogwatchCore, ArgumentParser.
// The map of all rooms: docs/architecture.md.

// Public: LogwatchCore types conform to ExpressibleByArgument below, and a conformance is public.
public import ArgumentParser
import CBuildInfo
import Foundation
import Logging
import LogwatchCore
import LogwatchIO

/// The root command: without a subcommand it follows files or standard input.
struct Logwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logwatch",
        abstract: "Watch LiteLLM proxy logs and explain, in plain words, what broke and how to fix it.",
        discussion: """
        Version \(Logwatch.version); `logwatch --version` also counts the rules it would load.

        Examples:
          logwatch --follow /var/log/litellm.log
          logwatch --journal --unit litellm.service
          logwatch --follow /var/log/litellm.log --webhook "$SLACK_URL" --webhook-format slack
          docker logs -f litellm 2>&1 | logwatch --stdin
          journalctl -f -o json -u litellm | logwatch --stdin --format journal-json
          logwatch scan proxy.log --json
          logwatch explain --line 'litellm.AuthenticationError: AzureException AuthenticationError - ...'
          logwatch rules check
        """,
        version: Logwatch.version,
        subcommands: [ScanCommand.self, ExplainCommand.self, RulesCommand.self, EntriesCommand.self, ConfigCommand.self,
                      RunCommand.self, TestCommand.self, StatusCommand.self, SilenceCommand.self, NotifyCommand.self])

    /// From `git describe` when built with make (tools/version.sh), e.g. 0.2.0+git141.g3225f36.
    static let version = String(cString: logwatch_build_version())

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

    @Option(name: .customLong("format"), help: "Format of standard input: text, or journal-json (journalctl -o json).")
    var format: LogwatchConfig.StdinFormat = .text

    @Flag(name: .customLong("journal"), help: "Follow journald (the system journal, or --journal-dir).")
    var journal = false

    @OptionGroup var journalOptions: JournalOptions

    @Option(name: .customLong("webhook"), help: "Send notices to this webhook URL (with retries and a disk outbox).")
    var webhook: String?

    @Option(name: .customLong("webhook-format"), help: "The webhook's format: slack, discord, teams, generic or alertmanager.")
    var webhookFormat: LogwatchConfig.SinkKind = .generic

    @Option(name: .customLong("group-wait"), help: "Seconds to gather an incident's first records before its first notice (with --webhook).")
    var groupWait: Double?

    @Flag(name: .customLong("from-start"), help: "Read followed files from their start instead of their end.")
    var fromStart = false

    @Flag(name: .customLong("from-end"), help: "Read followed files from their end (the default).")
    var fromEnd = false

    @Option(name: .customLong("idle-ms"), help: "An open record is handed on after this many milliseconds without new lines (latency only: it stays open, and lines that join it later replace it).")
    var idleMilliseconds = 200

    @Option(name: .customLong("state-dir"),
            help: "Keep positions here and resume from them on the next start (default: no resuming for --follow).")
    var stateDirectory: String?

    @OptionGroup var common: CommonOptions

    /// The sources the flags name, in the config's terms.
    var sources: [LogwatchConfig.Source] {
        var sources: [LogwatchConfig.Source] = []
        if !follow.isEmpty { sources.append(.file(.init(paths: follow, from: fromStart ? .start : .end))) }
        for name in docker { sources.append(.docker(.init(container: name))) }
        if !cri.isEmpty { sources.append(.cri(.init(paths: cri))) }
        if journal || journalOptions.journalDirectory != nil {
            let units = journalOptions.units.isEmpty ? ["litellm.service"] : journalOptions.units.map { ConfigParser.unitName($0) ?? $0 }
            sources.append(.journal(.init(units: units, matches: journalOptions.matches, directory: journalOptions.journalDirectory)))
        }
        if stdin { sources.append(.stdin(.init(format: format))) }
        return sources
    }

    func run() throws {
        // Checked here, not in validate(): ArgumentParser validates parent commands of a subcommand too.
        let sources = self.sources
        if sources.isEmpty {
            throw ValidationError("Nothing to read: give --follow FILE..., --journal, --docker NAME, --cri PATTERN, --stdin, or a subcommand (see --help).")
        }
        if fromStart && fromEnd { throw ValidationError("--from-start and --from-end exclude each other.") }
        if let webhook, let problem = ConfigParser.urlProblem(webhook, kind: webhookFormat) {
            throw ValidationError("--webhook: \(problem)")
        }
        if webhook != nil && webhookFormat == .stdout { throw ValidationError("--webhook-format: stdout is not a webhook format.") }
        let ruleSet = try common.loadRules()
        try runDaemon(sources: sources, ruleSet: ruleSet, webhook: webhook)
    }

    /// Every way of following runs the daemon with the flags as its config, printing to the
    /// terminal: one path from record to incident for `--follow`, `--webhook` and `run`. Without
    /// `--webhook` it has no sinks; without `--state-dir` its state lives in a temporary
    /// directory removed at the end, so nothing resumes.
    func runDaemon(sources: [LogwatchConfig.Source], ruleSet: RuleSet, webhook: String?) throws {
        let environment = ProcessInfo.processInfo.environment
        // Without a webhook the terminal is the only output; the daemon's own log lines would
        // only repeat what the banner and summary say.
        bootstrapLogging(defaultLevel: webhook == nil ? .warning : .info)
        var config = LogwatchConfig()
        config.sources = sources
        config.http.listen = nil
        config.links.baseURL = common.linksBaseURL
        var temporary: String?
        if let stateDirectory {
            config.stateDirectory = stateDirectory
        } else if webhook != nil {
            config.stateDirectory = ConfigLoader.defaultStateDirectory(environment: environment)
        } else {
            let template = FileManager.default.temporaryDirectory.appendingPathComponent("logwatch-follow.XXXXXX").path
            var bytes = Array(template.utf8CString)
            guard let made = mkdtemp(&bytes) else {
                Output.err("logwatch: cannot make a temporary state directory under \(FileManager.default.temporaryDirectory.path)")
                throw ExitCode(2)
            }
            temporary = String(cString: made)
            config.stateDirectory = temporary
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        if let webhook {
            config.sinks = [LogwatchConfig.Sink(name: webhookFormat.rawValue, kind: webhookFormat, endpoint: .url(webhook), url: webhook)]
        }
        if let groupWait { config.policy.groupWait = .init(milliseconds: Int(groupWait * 1000)) }
        let loaded = ConfigLoader.Loaded(config: config, specs: [], ruleSet: ruleSet)
        var options = Daemon.Options(configPath: nil, version: Logwatch.version)
        options.terminal = TerminalPrinter(json: common.json, links: common.links, colour: Output.colourOnStdout,
                                           verbose: common.verbose, width: Output.widthOfStdout)
        options.idleTimeout = Double(idleMilliseconds) / 1000
        options.fromStart = fromStart
        let daemon: Daemon
        do {
            daemon = try Daemon(loaded: loaded, options: options, logger: Logger(label: "logwatch"))
        } catch {
            Output.err("logwatch: \(error)")
            throw ExitCode(2)
        }
        // The banner only when every source can be followed: otherwise the daemon's one-line
        // error is all the operator sees (a directory, a device, an unreadable file).
        if sources.allSatisfy({ SourceCheck.problems($0).isEmpty }) {
            Output.err("logwatch: watching \(Self.describe(sources)) with \(ruleSet.rules.count) rules"
                       + (webhook.map { _ in ", notices to the \(webhookFormat.rawValue) webhook" } ?? "")
                       + "; Ctrl-C stops and prints a summary.")
        }
        let status = daemon.run()
        if status != 0 { throw ExitCode(status) }
    }

    /// "proxy.log, journal (litellm.service)" for the start banner.
    static func describe(_ sources: [LogwatchConfig.Source]) -> String {
        sources.map { source -> String in
            switch source {
            case .file(let file): file.paths.joined(separator: ", ")
            case .docker(let docker): "container \(docker.container ?? docker.paths.joined(separator: ", "))"
            case .cri(let cri): cri.paths.joined(separator: ", ")
            case .journal(let journal): "journal (\(journal.units.joined(separator: ", ")))"
            case .stdin: "standard input"
            }
        }.joined(separator: ", ")
    }
}

extension LogwatchConfig.StdinFormat: ExpressibleByArgument {}
extension LogwatchConfig.SinkKind: ExpressibleByArgument {}
extension IncidentClass: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// Which journal to read, for `--journal` and `scan --journal-dir`. One option group shared by
/// the root and `scan`, so ArgumentParser hands the values to whichever command runs.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("journal-dir"), help: "Read the journal files in this directory instead of the system journal.")
    var journalDirectory: String?

    @Option(name: .customLong("unit"), help: "A systemd unit to read (repeatable; default: litellm.service).")
    var units: [String] = []

    @Option(name: .customLong("match"), help: "Only entries with this journal FIELD=VALUE (repeatable).")
    var matches: [String] = []
}

/// Options every reading command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: "A rule directory (repeatable). Default: the shipped Rules/.")
    var rules: [String] = []

    @Flag(name: .customLong("json"), help: "Write NDJSON, one object per matched record.")
    var json = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Show each incident's full entry instead of a compact block.")
    var verbose = false

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
