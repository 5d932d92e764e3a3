// Config/: the config file's text to `LogwatchConfig` and back (ConfigParser, ConfigRenderer);
// files and the environment are read by LogwatchIO/Config. Pure core. May use: Yams, Support/.
// The map of all rooms: docs/architecture.md.

/// The daemon's configuration (`/etc/logwatch/config.yaml`), as parsed and validated by
/// `ConfigParser`. Every key is optional; the defaults are the values `init()` gives.
///
/// Pure: values only. Environment-dependent parts (the default state directory, `url_env`,
/// `url_file`) are resolved at the edge by `ConfigLoader` in LogwatchIO, which fills
/// `stateDirectory` and each sink's `url`.
public struct LogwatchConfig: Sendable, Equatable {
    /// Where incident state, the outbox and checkpoints live. `nil` until resolved: the loader
    /// uses `$STATE_DIRECTORY` (systemd `StateDirectory=`), else `~/.local/state/logwatch`.
    public var stateDirectory: String?
    /// The name this logwatch reports as (`host:`), in every notice and as Alertmanager's
    /// `host` label. `nil`: the machine's host name, filled in at the edge. Fleets set it when
    /// host names are not meaningful (pods, cloned VMs).
    public var host: String?
    public var links = Links()
    public var http = HTTP()
    public var rules = Rules()
    public var sources: [Source] = [.journal(Journal())]
    public var policy = Policy()
    public var sinks: [Sink] = [Sink(name: "stdout", kind: .stdout)]
    public var outbox = Outbox()
    /// Line of every key path that was written (`sinks[0].url_env`, `rules.disable[1]`), so
    /// problems found after parsing (secrets, rule directories) can still point at the line.
    public var keyLines: [String: Int] = [:]

    public init() {}

    /// The line where `keyPath` was written, else the line of its closest written parent.
    public func line(of keyPath: String) -> Int {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = keyLines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return 1
    }

    public struct Links: Sendable, Equatable {
        /// Base of the troubleshooting entry links (`{base}/{class}/{id}.html`). When the
        /// config does not set it and the HTTP listener is on, it is the listener's `/entries`.
        public var baseURL: String?
        public init(baseURL: String? = nil) { self.baseURL = baseURL }
    }

    public struct HTTP: Sendable, Equatable {
        /// `nil` when the listener is off (`listen: off`).
        public var listen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9466)
        /// A file holding the bearer token that lets clients off loopback use the console's
        /// write endpoints (silences, test sends); `${VAR}` is expanded, as for `url_file`.
        public var tokenFile: String?
        /// The token read from `tokenFile` by `ConfigLoader`. A secret: never printed.
        public var token: String?
        public init(listen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9466)) { self.listen = listen }
    }

    public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
        /// A host name or address; IPv6 without brackets (`::1`).
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        /// `host:port`, with IPv6 hosts in brackets.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public struct Rules: Sendable, Equatable {
        /// Rule directories, in order. Empty means the shipped catalogue.
        public var directories: [String] = []
        /// Rule ids that are not loaded.
        public var disabled: [String] = []
        public init(directories: [String] = [], disabled: [String] = []) {
            self.directories = directories
            self.disabled = disabled
        }
    }

    /// Where records come from.
    public enum Source: Sendable, Equatable {
        case file(File)
        case journal(Journal)
        case docker(Docker)
        case cri(CRI)
        case stdin(Stdin)

        /// The `type:` value.
        public var type: String {
            switch self {
            case .file: "file"
            case .journal: "journal"
            case .docker: "docker"
            case .cri: "cri"
            case .stdin: "stdin"
            }
        }
    }

    /// Plain log files, followed like `tail -F`. Paths may be globs.
    public struct File: Sendable, Equatable {
        public var paths: [String]
        public var from: StartPosition = .end
        public init(paths: [String], from: StartPosition = .end) {
            self.paths = paths
            self.from = from
        }
    }

    public enum StartPosition: String, Sendable, Equatable, CaseIterable {
        case end, start
    }

    /// journald, by unit and/or `FIELD=VALUE` matches, from the system journal or a directory.
    public struct Journal: Sendable, Equatable {
        /// Full unit names (a bare name gets `.service`, as `journalctl -u` does).
        public var units: [String] = ["litellm.service"]
        /// Extra `FIELD=VALUE` matches, all of which must hold.
        public var matches: [String] = []
        /// A journal directory instead of the system journal.
        public var directory: String?
        public init(units: [String] = ["litellm.service"], matches: [String] = [], directory: String? = nil) {
            self.units = units
            self.matches = matches
            self.directory = directory
        }
    }

    /// Docker's json-file logs: by container name (the edge finds its log file) or by path globs.
    public struct Docker: Sendable, Equatable {
        public var container: String?
        public var paths: [String] = []
        public init(container: String? = nil, paths: [String] = []) {
            self.container = container
            self.paths = paths
        }
    }

    /// Kubernetes CRI log files (`/var/log/containers/*.log`).
    public struct CRI: Sendable, Equatable {
        public var paths: [String]
        public init(paths: [String]) { self.paths = paths }
    }

    public struct Stdin: Sendable, Equatable {
        public var format: StdinFormat = .text
        public init(format: StdinFormat = .text) { self.format = format }
    }

    public enum StdinFormat: String, Sendable, Equatable, CaseIterable {
        case text
        /// `journalctl -o json` lines.
        case journalJSON = "journal-json"
    }

    /// When notices go out (the same meaning as Alertmanager's route timers).
    public struct Policy: Sendable, Equatable {
        /// Wait after an incident opens before the first notice, to gather its first records.
        public var groupWait = Interval(milliseconds: 10_000)
        /// Least time between notices about new records of an open incident.
        public var groupInterval = Interval(milliseconds: 300_000)
        /// Re-notify an incident that is still open but unchanged after this long.
        public var repeatInterval = Interval(milliseconds: 14_400_000)
        /// An incident with no new records for this long is resolved.
        public var resolveAfter = Interval(milliseconds: 900_000)
        public init() {}
    }

    /// One notice destination with its route (classes, least severity) and rate limit.
    public struct Sink: Sendable, Equatable {
        public var name: String
        public var kind: SinkKind
        /// The URL as the config names it (`url`, `url_env` or `url_file`); `.none` for stdout.
        public var endpoint: Endpoint
        /// The effective URL: set by the parser for `url`, by `ConfigLoader` for `url_env` and
        /// `url_file`; the first replica for `urls`. A secret: print it only through
        /// `ConfigRenderer.maskURL`.
        public var url: String?
        /// Alertmanager replicas (`urls:`), in order; empty for a single URL. Each replica is
        /// posted to on its own (see `lanes`): Alertmanager's HA cluster needs every sender to
        /// reach every replica, never one picked by a load balancer.
        public var urls: [String] = []
        /// Classes routed to this sink.
        public var classes: [IncidentClass] = IncidentClass.reported
        /// Incidents below this severity are not sent here.
        public var minSeverity: Severity = .info
        /// At most this many notices a minute; the rest are counted as dropped.
        public var maxPerMinute = 10
        /// One delivery attempt's time limit.
        public var timeout = Interval(milliseconds: 10_000)

        public init(name: String, kind: SinkKind, endpoint: Endpoint = .none, url: String? = nil) {
            self.name = name
            self.kind = kind
            self.endpoint = endpoint
            self.url = url
        }

        /// The delivery lanes: one per URL, each with its own outbox rows, retries and worker, so
        /// a replica that is down never holds up the others. A single URL is one lane named
        /// after the sink; replicas are `NAME@1`, `NAME@2`, … in the order of `urls`.
        public var lanes: [(name: String, url: String)] {
            if urls.count > 1 { return urls.enumerated().map { (name: "\(name)@\($0.offset + 1)", url: $0.element) } }
            guard let single = urls.first ?? url else { return [] }
            return [(name: name, url: single)]
        }

        /// Whether a notice of this class and severity goes to this sink.
        public func routes(_ incidentClass: IncidentClass, severity: Severity) -> Bool {
            classes.contains(incidentClass) && severity >= minSeverity
        }
    }

    public enum SinkKind: String, Sendable, Equatable, CaseIterable {
        case stdout, slack, discord, teams, generic, alertmanager

        /// Whether the sink posts to a URL (every kind but stdout).
        public var needsURL: Bool { self != .stdout }
    }

    public enum Endpoint: Sendable, Equatable {
        case none
        /// Written in the config (discouraged: the config file is then a secret).
        case url(String)
        /// The name of an environment variable holding the URL.
        case environment(String)
        /// A file holding the URL; `${VAR}` (e.g. `${CREDENTIALS_DIRECTORY}`) is expanded.
        case file(String)
        /// Alertmanager replicas written in the config (`urls:`).
        case urls([String])
    }

    public struct Outbox: Sendable, Equatable {
        /// Notices kept for retry; beyond this the oldest are dropped and counted.
        public var maxNotices = 10_000
        public init() {}
    }

    /// A duration written as `250ms`, `10s`, `5m`, `4h` (or combined, `1h30m`).
    public struct Interval: Sendable, Equatable, Comparable, CustomStringConvertible {
        public var milliseconds: Int
        public init(milliseconds: Int) { self.milliseconds = milliseconds }
        public var seconds: Double { Double(milliseconds) / 1000 }
        public static func < (a: Interval, b: Interval) -> Bool { a.milliseconds < b.milliseconds }

        /// Parses `250ms`, `10s`, `5m`, `4h`, `1d` and sums like `1h30m`; `nil` if not a duration.
        public static func parse(_ text: String) -> Interval? {
            let units: [(String, Int)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            var rest = Substring(text)
            var total = 0
            guard !rest.isEmpty else { return nil }
            while !rest.isEmpty {
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count <= 9, let value = Int(digits) else { return nil }
                rest = rest.dropFirst(digits.count)
                // Longest unit first, so `ms` is not read as `m` followed by garbage.
                guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) })
                else { return nil }
                rest = rest.dropFirst(unit.0.count)
                let (product, overflow) = value.multipliedReportingOverflow(by: unit.1)
                guard !overflow else { return nil }
                total += product
            }
            return Interval(milliseconds: total)
        }

        /// The shortest exact form: `250ms`, `10s`, `5m`, `4h`, `1h30m`.
        public var description: String {
            if milliseconds == 0 { return "0s" }
            if milliseconds % 1_000 != 0 { return "\(milliseconds)ms" }
            var seconds = milliseconds / 1_000
            var text = ""
            for (unit, size) in [("h", 3_600), ("m", 60), ("s", 1)] where seconds >= size {
                text += "\(seconds / size)\(unit)"
                seconds %= size
            }
            return text
        }
    }
}
