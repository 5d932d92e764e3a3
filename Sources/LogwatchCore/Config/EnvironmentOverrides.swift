/// `LOGWATCH_*` environment variables that override the config file, for containers, where
/// setting a variable is easier than mounting a file. Applied after the file is parsed and
/// before `ConfigLoader` resolves it, so a value from the environment is checked exactly like
/// the same value written in the file, and `config check` prints the config as it will run.
///
/// Pure: the environment comes in as a value.
public enum EnvironmentOverrides {
    /// A variable, the config key it overrides, and what it takes (docs/configuration.md).
    public struct Variable: Sendable {
        public var name: String
        public var key: String
        public var help: String
    }

    /// Every variable read here. `LOGWATCH_CONFIG` (the file) and `LOGWATCH_RULES` (the shipped
    /// catalogue) are read where the file and the catalogue are found.
    public static let variables: [Variable] = [
        Variable(name: "LOGWATCH_STATE_DIR", key: "state_dir", help: "an absolute path"),
        Variable(name: "LOGWATCH_LISTEN", key: "http.listen", help: "host:port, [ipv6]:port or off"),
        Variable(name: "LOGWATCH_LINKS_BASE_URL", key: "links.base_url", help: "an http(s) URL"),
        Variable(name: "LOGWATCH_FILES", key: "sources",
                 help: "comma-separated file globs: replaces the sources with one file source"),
        Variable(name: "LOGWATCH_FROM", key: "sources[].from", help: "start or end, for LOGWATCH_FILES"),
        Variable(name: "LOGWATCH_WEBHOOK_URL", key: "sinks",
                 help: "adds a sink named webhook (url_env: LOGWATCH_WEBHOOK_URL)"),
        Variable(name: "LOGWATCH_WEBHOOK_FORMAT", key: "sinks[].type",
                 help: "slack, discord, teams, generic (default) or alertmanager, for LOGWATCH_WEBHOOK_URL"),
    ]

    /// The names of the variables set (non-empty) in `environment`, in `variables` order.
    public static func present(in environment: [String: String]) -> [String] {
        variables.map(\.name).filter { !(environment[$0] ?? "").isEmpty }
    }

    /// `config` with every set variable applied. Throws every problem at once; a problem names
    /// the variable and never repeats its value (a webhook URL is a secret).
    public static func apply(to config: LogwatchConfig,
                             environment: [String: String]) throws(ConfigErrors) -> LogwatchConfig {
        var config = config
        var problems: [ConfigProblem] = []
        func value(_ name: String) -> String? {
            guard let text = environment[name].map(trimmed), !text.isEmpty else { return nil }
            return text
        }
        func problem(_ name: String, _ message: String) {
            problems.append(ConfigProblem(file: "environment", line: 0, key: name, message: message))
        }
        if let path = value("LOGWATCH_STATE_DIR") {
            if path.hasPrefix("/") { config.stateDirectory = path } else { problem("LOGWATCH_STATE_DIR", "must be an absolute path") }
        }
        if let text = value("LOGWATCH_LISTEN") {
            if text == "off" {
                config.http.listen = nil
            } else if let address = ConfigParser.listenAddress(text) {
                config.http.listen = address
            } else {
                problem("LOGWATCH_LISTEN", "must be host:port (like 0.0.0.0:9466 or [::1]:9466) or off")
            }
            // The file's links followed its listener unless it named them: follow the new one.
            if config.keyLines["links.base_url"] == nil {
                config.links.baseURL = config.http.listen.flatMap { listen in
                    ["0.0.0.0", "::", "[::]"].contains(listen.host) ? nil : "http://\(listen)/entries"
                }
            }
        }
        if let url = value("LOGWATCH_LINKS_BASE_URL") {
            if let reason = ConfigParser.urlProblem(url) { problem("LOGWATCH_LINKS_BASE_URL", reason) } else {
                config.links.baseURL = url
            }
        }
        var from = LogwatchConfig.StartPosition.end
        if let text = value("LOGWATCH_FROM") {
            if let position = LogwatchConfig.StartPosition(rawValue: text) { from = position } else {
                problem("LOGWATCH_FROM", "'\(text)' is not one of start, end")
            }
            if value("LOGWATCH_FILES") == nil { problem("LOGWATCH_FROM", "applies to LOGWATCH_FILES, which is not set") }
        }
        if let text = value("LOGWATCH_FILES") {
            let globs = text.split(separator: ",").map(trimmed).filter { !$0.isEmpty }
            var bad = false
            for glob in globs {
                if let reason = ConfigParser.globProblem(glob) { problem("LOGWATCH_FILES", "'\(glob)' \(reason)"); bad = true }
            }
            if globs.isEmpty { problem("LOGWATCH_FILES", "names no file"); bad = true }
            if !bad { config.sources = [.file(LogwatchConfig.File(paths: globs, from: from))] }
        }
        var format = LogwatchConfig.SinkKind.generic
        if let text = value("LOGWATCH_WEBHOOK_FORMAT") {
            if let kind = LogwatchConfig.SinkKind(rawValue: text), kind.needsURL { format = kind } else {
                problem("LOGWATCH_WEBHOOK_FORMAT", "'\(text)' is not one of slack, discord, teams, generic, alertmanager")
            }
            if value("LOGWATCH_WEBHOOK_URL") == nil {
                problem("LOGWATCH_WEBHOOK_FORMAT", "applies to LOGWATCH_WEBHOOK_URL, which is not set")
            }
        }
        if value("LOGWATCH_WEBHOOK_URL") != nil {
            if config.sinks.contains(where: { $0.name == "webhook" }) {
                problem("LOGWATCH_WEBHOOK_URL", "the config already has a sink named 'webhook'")
            } else {
                // Resolved (and its URL checked) by ConfigLoader like any url_env sink.
                config.sinks.append(LogwatchConfig.Sink(name: "webhook", kind: format, endpoint: .environment("LOGWATCH_WEBHOOK_URL")))
            }
        }
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        return config
    }

    private static func trimmed<S: StringProtocol>(_ text: S) -> String {
        String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
