import ArgumentParser
import Foundation
import LogwatchCore
import LogwatchIO

/// Where a running daemon listens, and the token for writes from off loopback.
struct ConsoleOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "The daemon's listener (http.listen).")
    var url: String = ConsoleClient.defaultURL

    @Option(name: .customLong("token-file"),
            help: "A file holding the bearer token (http.token_file) for writes from another host.")
    var tokenFile: String?

    func client() throws -> ConsoleClient {
        var token: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                Output.err("logwatch: cannot read the token file \(tokenFile)")
                throw ExitCode(2)
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ConsoleClient(base: url, token: token)
    }
}

/// Runs a console request; a failure is one line on standard error and exit 1.
func console<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as ConsoleClient.Failure {
        Output.err("logwatch: \(failure)")
        throw ExitCode(1)
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What is open now: the running daemon's incidents, by class, with silences.",
        discussion: """
        Reads the daemon's GET /api/v1/incidents (the same rows as the /incidents page).

        Examples:
          logwatch status
          logwatch status --url http://10.0.0.5:9466 --json
        """)

    @OptionGroup var options: ConsoleOptions
    @Flag(name: .customLong("json"), help: "Print the daemon's JSON as it is.")
    var json = false

    func run() throws {
        let client = try options.client()
        if json {
            let data = try console { try client.snapshotJSON() }
            FileHandle.standardOutput.write(data)
        } else {
            FileHandle.standardOutput.write(Data(IncidentConsole.text(try console { try client.snapshot() }).utf8))
        }
    }
}

struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Hold back notices about matching incidents for a while (they are still counted and shown).",
        discussion: """
        Silences live in the running daemon's state file: they survive restarts and reloads.

        Examples:
          logwatch silence add class=quota --for 30m --comment "load test"
          logwatch silence list
          logwatch silence expire s-0a1b2c3d
        """,
        subcommands: [Add.self, List.self, Expire.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a silence: RULE-ID, class=CLASS or fingerprint=INCIDENT-ID.",
            discussion: """
            Examples:
              logwatch silence add azure-auth-401 --for 2h --comment "key rotation in progress"
              logwatch silence add class=quota --for 30m
              logwatch silence add fingerprint=i-3f2a9c0d11e4 --for 1d
            """)
        @Argument(help: "RULE-ID, class=CLASS or fingerprint=INCIDENT-ID (as logwatch status shows it).")
        var matcher: String
        @Option(name: .customLong("for"), help: "How long: 30m, 2h, 1d.")
        var duration: String
        @Option(name: .customLong("comment"), help: "Why, for whoever reads the console.")
        var comment: String = ""
        @OptionGroup var options: ConsoleOptions

        func validate() throws {
            if case .failure(let problem) = Silence.Matcher.parse(matcher) { throw ValidationError("matcher: \(problem)") }
            guard let interval = LogwatchConfig.Interval.parse(duration), interval.milliseconds > 0 else {
                throw ValidationError("--for must be a duration like 30m, 2h or 1d")
            }
        }

        func run() throws {
            let client = try options.client()
            let silence = try console { try client.addSilence(matcher: matcher, duration: duration, comment: comment) }
            Output.out("Added " + IncidentConsole.silenceLine(silence))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List silences (active, and those expired in the last day).",
            discussion: """
            Examples:
              logwatch silence list
              logwatch silence list --url http://10.0.0.5:9466
            """)
        @OptionGroup var options: ConsoleOptions

        func run() throws {
            let client = try options.client()
            let silences = try console { try client.silences() }
            let now = Date().timeIntervalSince1970
            if silences.isEmpty { Output.out("No silences.") }
            for silence in silences {
                Output.out((silence.isActive(at: now) ? "active   " : "expired  ") + IncidentConsole.silenceLine(silence))
            }
        }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a silence now.",
            discussion: """
            Examples:
              logwatch silence expire s-0a1b2c3d
            """)
        @Argument(help: "The silence id (s-…), as silence list shows it.")
        var id: String
        @OptionGroup var options: ConsoleOptions

        func run() throws {
            let client = try options.client()
            let silence = try console { try client.expireSilence(id) }
            Output.out("Expired " + IncidentConsole.silenceLine(silence))
        }
    }
}

struct NotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Check a sink.",
        discussion: """
        Examples:
          logwatch notify test --sink ops-slack
          logwatch notify test --sink am --url http://127.0.0.1:9466
        """,
        subcommands: [Test.self])

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a clearly marked test notice through a configured sink of the running daemon.",
            discussion: """
            The daemon renders a test notice in the sink's format and posts it to every URL of the sink
            (every Alertmanager replica), then reports each HTTP result. Exit 1 if any lane failed.

            Examples:
              logwatch notify test --sink ops-slack
            """)
        @Option(name: .customLong("sink"), help: "The sink's name in the daemon's config.")
        var sink: String
        @OptionGroup var options: ConsoleOptions

        func run() throws {
            let client = try options.client()
            let results = try console { try client.notifyTest(sink: sink) }
            for result in results {
                var line = "\(result.lane)  \(result.url)  \(result.outcome)"
                if let status = result.status { line += "  HTTP \(status)" }
                if let detail = result.detail, !detail.isEmpty { line += "  \(detail)" }
                Output.out(line)
            }
            if results.contains(where: { $0.outcome != "delivered" }) { throw ExitCode(1) }
        }
    }
}
