import ArgumentParser
import Foundation
import LogwatchCore
import LogwatchIO

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a log through the rules and show hits, fields, misses and the notices a run would send.",
        discussion: """
        Nothing is sent. The log is framed and classified as a run would; incidents are grouped on a simulated clock (records 10 ms apart), and the first notices are rendered for every sink: the sinks of --config, or else the terminal and a Slack preview.

        Exit code 0, or 1 with --fail-on-missed when an error-looking record matched no rule; 2 for unreadable files and rule or config errors.

        Examples:
          logwatch test Samples/litellm-proxy.log
          logwatch test proxy.log --rules ./my-rules --rules /usr/local/share/logwatch/rules --print-missed
          logwatch test proxy.log --config /etc/logwatch/config.yaml
          logwatch test proxy.log --fail-on-missed      # in CI, when a rule set must cover a log
        """)

    @Argument(help: "The log file ('-' for standard input).")
    var file: String

    @Option(name: .customLong("config"), help: "Use the rules, policy and sinks of this config file.")
    var config: String?

    @Flag(name: .customLong("print-missed"), help: "Print the error-looking records that no rule matched.")
    var printMissed = false

    @Flag(name: .customLong("fail-on-missed"), help: "Exit 1 when an error-looking record matched no rule.")
    var failOnMissed = false

    @Option(name: .customLong("clock"), help: ArgumentHelp("Simulated time of the first record (seconds since 1970).", visibility: .hidden))
    var clock: Double?

    @OptionGroup var common: CommonOptions

    func run() throws {
        var ruleSet: RuleSet
        var routes = [NoticeRouter.Route(sink: "terminal", format: .text, perMinute: 0),
                      NoticeRouter.Route(sink: "slack-preview", format: .slack, perMinute: 10)]
        var policy = IncidentBook.Policy()
        var links = common.links
        if let config {
            let loaded = try loadConfig(config, problemExit: 2)
            ruleSet = loaded.ruleSet
            // The same routes and policy a run builds from this config.
            routes = Daemon.routes(loaded.config)
            policy = Daemon.policy(loaded.config)
            if common.linksBaseURL == nil { links = EntryLinks(baseURL: loaded.config.links.baseURL) }
        } else {
            ruleSet = try common.loadRules()
        }
        let host = ProcessInfo.processInfo.hostName
        var test = RuleTest(ruleSet: ruleSet, routes: routes,
                            context: NoticeContext(host: clock == nil ? host : "proxy-host", links: links, ruleSet: ruleSet),
                            clock: clock ?? Date().timeIntervalSince1970)
        test.policy = policy
        let result: RuleTest.Result
        do {
            // A directory, socket or device is refused with `scan`'s words (reading /dev/zero never ends).
            if let problem = SourceCheck.scannable(file) { throw problem }
            result = try test.run(path: file)
        } catch {
            Output.err("logwatch: \(error)")
            throw ExitCode(2)
        }
        let style = TextStyle(colour: Output.colourOnStdout)
        Output.out(style.bold("logwatch test") + " \(file)\n")
        Output.out(result.report.render(style: style, printMissed: printMissed, lines: result.statistics.lines))
        Output.out("\n" + style.bold("Incidents") + ": \(result.incidents.count) (one per failure: records grouped by rule and fingerprint, "
                   + "with the access lines and consequences they caused)")
        for incident in result.incidents {
            let fingerprint = incident.fingerprint.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            Output.out("  \(String(incident.count).leftPadding(5))  \(incident.ruleClass.rawValue.padding(8)) \(incident.ruleID)"
                       + (fingerprint.isEmpty ? "" : "  " + style.dim(fingerprint)))
            if let also = incident.alsoSeenText { Output.out("         " + style.dim("also seen: " + also)) }
        }
        Output.out("\n" + style.bold("Notices a run would send first")
                   + " (after group_wait \(Int(policy.groupWait)) s; then digests at most every \(Int(policy.groupInterval)) s, "
                   + "a resolve after \(Int(policy.resolveAfter)) s of quiet):")
        for route in routes {
            let mine = result.outputs.filter { $0.sink == route.sink }
            Output.out("\n== \(route.sink) (\(route.format.rawValue)): \(mine.count) notice(s) ==")
            for output in mine { Output.out(Self.preview(output.payload, format: route.format)) }
        }
        if failOnMissed && result.report.missCount > 0 { throw ExitCode(1) }
    }

    /// JSON payloads pretty-printed with sorted keys, so a person can read them (and a golden
    /// file stays stable); text as it is.
    static func preview(_ payload: Payload, format: NoticeFormat) -> String {
        guard format != .text, let object = try? JSONSerialization.jsonObject(with: Data(payload.body)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return payload.string }
        return String(decoding: data, as: UTF8.self)
    }
}
