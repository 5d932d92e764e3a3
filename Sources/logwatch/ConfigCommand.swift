import ArgumentParser
import Foundation
import LogwatchCore
import LogwatchIO

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Validate the daemon's config file.",
        discussion: """
        The config file is documented in docs/configuration.md (installed under share/doc/logwatch).
        Examples:
          logwatch config check
          logwatch config check --config ./config.yaml
        """,
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a config file and print the effective config, webhook URLs masked.",
            discussion: """
            Reads the file, resolves url_env and url_file, compiles the configured rule directories without the disabled rules, and prints the config as it would run, defaults filled in. Every problem is reported with its file, line and key.

            Exit code 0 when valid, 1 when a check failed, 2 when the file cannot be read. The systemd unit runs this before it starts and before it reloads.

            Examples:
              logwatch config check
              logwatch config check --config ./config.yaml
              SLACK_WEBHOOK_URL=https://... logwatch config check --config config.yaml
            """)

        @Option(name: .customLong("config"), help: "The config file; $LOGWATCH_CONFIG sets the default.")
        var config: String = ConfigLoader.path()

        func run() throws {
            let result = try loadConfig(config, problemExit: 1)
            let loaded = result.config, ruleSet = result.ruleSet
            // What `run` would refuse at start: a directory or device as a file source, a
            // missing journal directory or container.
            let sourceProblems = loaded.sources.flatMap(SourceCheck.problems)
            if !sourceProblems.isEmpty {
                Output.err("logwatch: the config has \(sourceProblems.count) problem(s):")
                for problem in sourceProblems { Output.err("  \(config): sources: \(problem)") }
                throw ExitCode(1)
            }
            for warning in ConfigLoader.warnings(for: loaded, file: config) { Output.err("logwatch: warning: \(warning)") }
            // The printer masks URLs itself; the Redactor pass catches anything else that looks
            // like a key (a token pasted into a path, say).
            let redactor = Redactor()
            Output.out("# Effective config from \(config) (URLs masked)")
            let overrides = EnvironmentOverrides.present(in: ProcessInfo.processInfo.environment)
            if !overrides.isEmpty { Output.out("# Overridden by the environment: \(overrides.joined(separator: ", "))") }
            Output.out(String(redactor.redact(ConfigRenderer.render(loaded, shippedRules: loaded.rules.directories.isEmpty ? RuleDirectory.shipped() : nil)).dropLast()))
            if !PCRE2Pattern.jitAvailable {
                Output.err("logwatch: PCRE2 JIT is unavailable here (MemoryDenyWriteExecute=yes?); field extraction uses the PCRE2 interpreter.")
            }
            let disabled = loaded.rules.disabled.count
            Output.out("# OK: \(ruleSet.rules.count) rules\(disabled > 0 ? " (\(disabled) disabled)" : ""), "
                       + "\(loaded.sources.count) source(s), \(loaded.sinks.count) sink(s).")
        }
    }
}
