import ArgumentParser
import Foundation
import Logging
import LogwatchCore
import LogwatchIO

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon from a config file, as the systemd unit does.",
        discussion: """
        Reads the sources in the config, groups what it finds into incidents, and sends notices to the configured sinks with retries and a disk outbox. Positions, pending notices and incidents are kept in the state directory, so a restart resumes where it stopped.

        Signals: SIGHUP reloads the config and rules (a bad new config is rejected and the running one stays); SIGTERM stops cleanly (flush, checkpoint, exit 0). Under systemd it reports readiness and watchdog pings (Type=notify).

        Set LOGWATCH_LOG_LEVEL (trace, debug, info, notice, warning, error) to change how much it logs to standard error.

        Examples:
          logwatch run --config /etc/logwatch/config.yaml
          SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... logwatch run --config ./config.yaml
          systemctl reload logwatch     # config check, then SIGHUP
        """)

    @Option(name: .customLong("config"), help: "The config file; $LOGWATCH_CONFIG sets the default.")
    var config: String = ConfigLoader.path()

    func run() throws {
        bootstrapLogging()
        let loaded = try loadConfig(config, problemExit: 2)
        let logger = Logger(label: "logwatch")
        let daemon: Daemon
        do {
            daemon = try Daemon(loaded: loaded, options: Daemon.Options(configPath: config, version: Logwatch.version), logger: logger)
        } catch {
            Output.err("logwatch: \(error)")
            throw ExitCode(2)
        }
        let status = daemon.run()
        if status != 0 { throw ExitCode(status) }
    }
}

/// Logs go to standard error (the journal under systemd), secrets masked, at the level in
/// LOGWATCH_LOG_LEVEL (default info).
func bootstrapLogging(defaultLevel: Logger.Level = .info) {
    let level = ProcessInfo.processInfo.environment["LOGWATCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
    LoggingSystem.bootstrap { label in
        var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
        handler.logLevel = level
        return handler
    }
}
