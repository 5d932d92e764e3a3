import Yams

/// Parses and validates config text into a `LogwatchConfig`, collecting every problem with its
/// key path and line (like `RuleLoader` does for rules). Unknown keys are errors, with a
/// "did you mean" when a known key is close: a typo must never silently become a default.
///
/// Pure: it takes the text; reading the file and resolving `url_env`/`url_file` is the job of
/// `ConfigLoader` in LogwatchIO.
public struct ConfigParser: Sendable {
    public static let topLevelKeys = ["state_dir", "host", "links", "http", "rules", "sources", "policy", "sinks", "outbox"]
    static let sourceKeys: [String: [String]] = [
        "file": ["type", "paths", "from"],
        "journal": ["type", "units", "matches", "directory"],
        "docker": ["type", "container", "paths"],
        "cri": ["type", "paths"],
        "stdin": ["type", "format"],
    ]
    static let sinkKeys = ["name", "type", "url", "urls", "url_env", "url_file", "classes", "min_severity", "max_per_minute", "timeout"]
    /// Unit types `journalctl -u` accepts as suffixes.
    static let unitSuffixes = ["service", "socket", "target", "device", "mount", "automount", "swap", "path",
                               "timer", "slice", "scope"]

    public init() {}

    /// The config for `text`, or every problem found. `file` names the file in problems.
    public func parse(_ text: String, file: String) throws(ConfigErrors) -> LogwatchConfig {
        var reader = Reader(file: file)
        let config = reader.read(text)
        if !reader.problems.isEmpty { throw ConfigErrors(problems: reader.problems) }
        return config
    }

    /// `host:port` or `[ipv6]:port` as `http.listen` takes it (not `off`), or `nil`.
    public static func listenAddress(_ text: String) -> LogwatchConfig.ListenAddress? {
        let host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // IPv6 needs brackets
        }
        // Port 0 asks the kernel for a free port (tests; the log says which one was bound).
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return LogwatchConfig.ListenAddress(host: String(host), port: port)
    }

    /// Why `url` is not a usable sink or link URL, or `nil` when it is. The message never
    /// repeats the URL: it may be a secret.
    public static func urlProblem(_ url: String, kind: LogwatchConfig.SinkKind? = nil) -> String? {
        guard let parts = URLParts(url) else {
            return "must be an http:// or https:// URL with a host"
        }
        if let port = parts.port, !(1...65535).contains(port) { return "has a port outside 1-65535" }
        if kind == .alertmanager, parts.path != "" && parts.path != "/" {
            return "must be Alertmanager's base URL (like http://alertmanager:9093); logwatch adds /api/v2/alerts"
        }
        return nil
    }

    /// Closest known key within a small edit distance, for "did you mean".
    static func suggestion(for key: String, among known: [String]) -> String? {
        let scored = known.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= max(1, min(3, $0.0.count / 3)) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// A systemd unit name with its type suffix (`litellm` becomes `litellm.service`), or `nil`.
    public static func unitName(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= 255, !text.hasPrefix("."), !text.hasPrefix("-"),
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":_.\\@-".contains($0)) })
        else { return nil }
        guard let dot = text.lastIndex(of: ".") else { return text + ".service" }
        let suffix = String(text[text.index(after: dot)...])
        guard unitSuffixes.contains(suffix), dot != text.startIndex else { return nil }
        return text
    }

    /// Whether `text` is a journal match `FIELD=VALUE` (FIELD: A-Z, 0-9, _, not starting with a digit).
    public static func isJournalMatch(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "=") else { return false }
        let field = text[..<equals]
        guard !field.isEmpty, field.count <= 64, let first = field.first, !first.isNumber else { return false }
        return field.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }

    /// Why a path glob is unusable, or `nil`. Globs use `*`, `?` and `[...]`, as `glob(3)`.
    public static func globProblem(_ glob: String) -> String? {
        if glob.isEmpty { return "must not be empty" }
        if glob.contains("\0") { return "must not contain NUL" }
        if glob.hasSuffix("/") { return "names a directory; give the files, e.g. \(glob)*.log" }
        var escaped = false
        var open = false
        for character in glob {
            if escaped { escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "[": open = true
            case "]": open = false
            default: break
            }
        }
        return open ? "has a '[' without its ']'" : nil
    }
}

/// The parse state: the file name and the problems found so far.
private struct Reader {
    typealias Config = LogwatchConfig
    let file: String
    var problems: [ConfigProblem] = []
    var lines: [String: Int] = [:]

    init(file: String) { self.file = file }

    mutating func problem(_ line: Int, _ key: String, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, key: key, message: message))
    }

    static func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    mutating func read(_ text: String) -> Config {
        var config = Config()
        let root: Node?
        switch FileProblem.composeYAML(text, file: file, { try Yams.compose(yaml: $0) }) {
        case .success(let node): root = node
        case .failure(let yamlProblem):
            problems.append(yamlProblem)
            return config
        }
        // An empty file (or only comments) is the all-defaults config.
        guard let root else { return finish(config) }
        if let scalar = root.scalar, scalar.string.isEmpty { return finish(config) }
        guard let top = mapping(root, "", allowed: ConfigParser.topLevelKeys) else { return config }

        if let node = top["state_dir"] {
            if let path = string(node, "state_dir") {
                if path.hasPrefix("/") { config.stateDirectory = path } else {
                    problem(Self.line(node), "state_dir", "must be an absolute path")
                }
            }
        }
        if let node = top["host"], let host = string(node, "host") {
            // A label value and a line in every notice: printable, one line, short.
            if host.count > 128 || host.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) }) {
                problem(Self.line(node), "host", "must be one line of at most 128 printable characters")
            } else {
                config.host = host.trimmingWhitespace
            }
        }
        if let node = top["links"], let links = mapping(node, "links", allowed: ["base_url"]) {
            if let value = links["base_url"], let url = string(value, "links.base_url") {
                if let reason = ConfigParser.urlProblem(url) { problem(Self.line(value), "links.base_url", reason) } else {
                    config.links.baseURL = url
                }
            }
        }
        if let node = top["http"], let http = mapping(node, "http", allowed: ["listen", "token_file"]) {
            if let value = http["token_file"], let file = string(value, "http.token_file") { config.http.tokenFile = file }
            if let value = http["listen"], let text = string(value, "http.listen") {
                if text == "off" { config.http.listen = nil } else if let address = listenAddress(text) {
                    config.http.listen = address
                } else {
                    problem(Self.line(value), "http.listen", "must be host:port (like 127.0.0.1:9466 or [::1]:9466) or off")
                }
            }
        }
        if let node = top["rules"], let rules = mapping(node, "rules", allowed: ["dirs", "disable"]) {
            if let value = rules["dirs"], let dirs = stringList(value, "rules.dirs") {
                config.rules.directories = dirs
            }
            if let value = rules["disable"], let ids = stringList(value, "rules.disable") {
                for (index, id) in ids.enumerated()
                where id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
                    problem(Self.line(value.sequence?[index]), "rules.disable[\(index)]", "'\(id)' is not a rule id (a-z, 0-9 and '-')")
                }
                config.rules.disabled = ids
            }
        }
        if let node = top["sources"] {
            if let items = node.sequence {
                config.sources = []
                for (index, item) in items.enumerated() {
                    lines["sources[\(index)]"] = Self.line(item)
                    if let source = source(item, "sources[\(index)]") { config.sources.append(source) }
                }
                if items.isEmpty { problem(Self.line(node), "sources", "needs at least one source") }
                let stdins = config.sources.filter { if case .stdin = $0 { true } else { false } }
                if stdins.count > 1 { problem(Self.line(node), "sources", "standard input can be read by one source only") }
            } else {
                problem(Self.line(node), "sources", "must be a list of sources")
            }
        }
        if let node = top["policy"],
           let policy = mapping(node, "policy", allowed: ["group_wait", "group_interval", "repeat_interval", "resolve_after"]) {
            func read(_ key: String, _ target: inout Config.Interval, allowZero: Bool) {
                guard let value = policy[key], let interval = interval(value, "policy.\(key)") else { return }
                if interval.milliseconds == 0 && !allowZero {
                    problem(Self.line(value), "policy.\(key)", "must be longer than 0")
                } else {
                    target = interval
                }
            }
            read("group_wait", &config.policy.groupWait, allowZero: true)
            read("group_interval", &config.policy.groupInterval, allowZero: false)
            read("repeat_interval", &config.policy.repeatInterval, allowZero: false)
            read("resolve_after", &config.policy.resolveAfter, allowZero: false)
        }
        if let node = top["sinks"] {
            if let items = node.sequence {
                config.sinks = []
                var names: [String: Int] = [:]
                for (index, item) in items.enumerated() {
                    lines["sinks[\(index)]"] = Self.line(item)
                    guard let sink = sink(item, "sinks[\(index)]") else { continue }
                    if let first = names[sink.name] {
                        problem(Self.line(item), "sinks[\(index)].name",
                                "duplicate sink name '\(sink.name)' (first at line \(first)); give each sink its own name")
                    } else {
                        names[sink.name] = Self.line(item)
                    }
                    config.sinks.append(sink)
                }
                if items.isEmpty { problem(Self.line(node), "sinks", "needs at least one sink (type: stdout prints notices)") }
            } else {
                problem(Self.line(node), "sinks", "must be a list of sinks")
            }
        }
        if let node = top["outbox"], let outbox = mapping(node, "outbox", allowed: ["max_notices"]) {
            if let value = outbox["max_notices"], let number = integer(value, "outbox.max_notices", minimum: 1) {
                config.outbox.maxNotices = number
            }
        }
        return finish(config)
    }

    /// Derived defaults: entry links point at the HTTP listener's `/entries` when it serves them.
    func finish(_ config: Config) -> Config {
        var config = config
        config.keyLines = lines
        if config.links.baseURL == nil, let listen = config.http.listen,
           !["0.0.0.0", "::", "[::]"].contains(listen.host) {
            config.links.baseURL = "http://\(listen)/entries"
        }
        return config
    }

    // MARK: - Sources and sinks

    mutating func source(_ node: Node, _ path: String) -> Config.Source? {
        guard let fields = node.mapping else {
            problem(Self.line(node), path, "must be a mapping with a type (\(ConfigParser.sourceKeys.keys.sorted().joined(separator: ", ")))")
            return nil
        }
        guard let typeNode = fields["type"], let type = string(typeNode, "\(path).type") else {
            if fields["type"] == nil { problem(Self.line(node), "\(path).type", "missing (one of \(ConfigParser.sourceKeys.keys.sorted().joined(separator: ", ")))") }
            return nil
        }
        guard let allowed = ConfigParser.sourceKeys[type] else {
            let hint = ConfigParser.suggestion(for: type, among: Array(ConfigParser.sourceKeys.keys)).map { "; did you mean '\($0)'?" } ?? ""
            problem(Self.line(typeNode), "\(path).type",
                    "unknown source type '\(type)' (one of \(ConfigParser.sourceKeys.keys.sorted().joined(separator: ", ")))\(hint)")
            return nil
        }
        guard let keys = mapping(node, path, allowed: allowed) else { return nil }
        func globs(required: Bool) -> [String]? {
            guard let value = keys["paths"] else {
                if required { problem(Self.line(node), "\(path).paths", "missing: at least one file path or glob") }
                return required ? nil : []
            }
            guard let list = stringList(value, "\(path).paths") else { return nil }
            if list.isEmpty { problem(Self.line(value), "\(path).paths", "needs at least one file path or glob") }
            var valid = true
            for (index, glob) in list.enumerated() {
                if let reason = ConfigParser.globProblem(glob) {
                    problem(Self.line(value.sequence?[index]), "\(path).paths[\(index)]", reason)
                    valid = false
                }
            }
            return valid && !list.isEmpty ? list : nil
        }
        switch type {
        case "file":
            let from = keys["from"].flatMap { choice($0, "\(path).from", Config.StartPosition.self) } ?? .end
            guard let paths = globs(required: true) else { return nil }
            return .file(.init(paths: paths, from: from))
        case "journal":
            var journal = Config.Journal()
            if let value = keys["units"], let units = stringList(value, "\(path).units") {
                journal.units = []
                for (index, unit) in units.enumerated() {
                    if let name = ConfigParser.unitName(unit) { journal.units.append(name) } else {
                        problem(Self.line(value.sequence?[index]), "\(path).units[\(index)]",
                                "'\(unit)' is not a systemd unit name (like litellm.service)")
                    }
                }
            }
            if let value = keys["matches"], let matches = stringList(value, "\(path).matches") {
                for (index, match) in matches.enumerated() where !ConfigParser.isJournalMatch(match) {
                    problem(Self.line(value.sequence?[index]), "\(path).matches[\(index)]",
                            "'\(match)' is not a journal match FIELD=VALUE (FIELD in A-Z, 0-9, _; like _HOSTNAME=proxy-1)")
                }
                journal.matches = matches
            }
            if let value = keys["directory"] { journal.directory = string(value, "\(path).directory") }
            if journal.units.isEmpty && journal.matches.isEmpty {
                problem(Self.line(node), path, "a journal source needs units or matches, or it would read every message on the host")
            }
            return .journal(journal)
        case "docker":
            let container = keys["container"].flatMap { string($0, "\(path).container") }
            if let container, !isContainerName(container) {
                problem(Self.line(keys["container"]), "\(path).container", "'\(container)' is not a container name or id")
                return nil
            }
            let paths = keys["paths"] == nil ? [] : globs(required: true)
            if (container == nil) == (keys["paths"] == nil) {
                problem(Self.line(node), path, "give exactly one of container or paths")
                return nil
            }
            guard let paths else { return nil }
            return .docker(.init(container: container, paths: paths))
        case "cri":
            guard let paths = globs(required: true) else { return nil }
            return .cri(.init(paths: paths))
        default:
            let format = keys["format"].flatMap { choice($0, "\(path).format", Config.StdinFormat.self) } ?? .text
            return .stdin(.init(format: format))
        }
    }

    func isContainerName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    mutating func sink(_ node: Node, _ path: String) -> Config.Sink? {
        guard let keys = mapping(node, path, allowed: ConfigParser.sinkKeys) else { return nil }
        guard let typeNode = keys["type"] else {
            problem(Self.line(node), "\(path).type", "missing (one of \(Config.SinkKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        guard let kind = choice(typeNode, "\(path).type", Config.SinkKind.self) else { return nil }
        var name = kind.rawValue
        if let value = keys["name"], let text = string(value, "\(path).name") {
            if text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) { name = text } else {
                problem(Self.line(value), "\(path).name", "use only letters, digits, '_', '.' and '-'")
            }
        }
        var sink = Config.Sink(name: name, kind: kind)
        let given = ["url", "urls", "url_env", "url_file"].filter { keys[$0] != nil }
        if !kind.needsURL {
            for key in given { problem(Self.line(keys[key]), "\(path).\(key)", "a stdout sink takes no URL") }
        } else if given.count != 1 {
            problem(Self.line(node), path, given.isEmpty
                    ? "a \(kind.rawValue) sink needs one of url_env (recommended), url_file or url"
                    : "give only one of url, urls, url_env and url_file (found \(given.joined(separator: ", ")))")
        } else if let value = keys["urls"] {
            if kind != .alertmanager {
                problem(Self.line(value), "\(path).urls", "only an alertmanager sink takes a list of replica URLs; use url, url_env or url_file")
            } else if let urls = stringList(value, "\(path).urls") {
                var valid = !urls.isEmpty
                if urls.isEmpty { problem(Self.line(value), "\(path).urls", "needs at least one Alertmanager URL") }
                for (index, url) in urls.enumerated() {
                    if let reason = ConfigParser.urlProblem(url, kind: kind) {
                        problem(Self.line(value.sequence?[index]), "\(path).urls[\(index)]", reason)
                        valid = false
                    } else if urls[..<index].contains(url) {
                        problem(Self.line(value.sequence?[index]), "\(path).urls[\(index)]",
                                "the same replica twice (it would get every alert twice)")
                        valid = false
                    }
                }
                if valid {
                    sink.endpoint = .urls(urls)
                    sink.url = urls[0]
                    sink.urls = urls
                }
            }
        } else if let value = keys["url"], let url = string(value, "\(path).url") {
            if let reason = ConfigParser.urlProblem(url, kind: kind) { problem(Self.line(value), "\(path).url", reason) } else {
                sink.endpoint = .url(url)
                sink.url = url
            }
        } else if let value = keys["url_env"], let variable = string(value, "\(path).url_env") {
            if let first = variable.first, first == "_" || first.isLetter,
               variable.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                sink.endpoint = .environment(variable)
            } else {
                problem(Self.line(value), "\(path).url_env", "'\(variable)' is not an environment variable name")
            }
        } else if let value = keys["url_file"], let file = string(value, "\(path).url_file") {
            sink.endpoint = .file(file)
        }
        if let value = keys["classes"], let list = stringList(value, "\(path).classes") {
            var classes: [IncidentClass] = []
            for (index, text) in list.enumerated() {
                if let value = IncidentClass(rawValue: text), IncidentClass.reported.contains(value) { classes.append(value) } else {
                    problem(Self.line(value.sequence?[index]), "\(path).classes[\(index)]",
                            "unknown class '\(text)' (one of \(IncidentClass.reported.map(\.rawValue).joined(separator: ", ")))")
                }
            }
            if list.isEmpty { problem(Self.line(value), "\(path).classes", "needs at least one class (leave it out for all)") }
            sink.classes = classes
        }
        if let value = keys["min_severity"], let severity = choice(value, "\(path).min_severity", Severity.self) {
            sink.minSeverity = severity
        }
        if let value = keys["max_per_minute"], let number = integer(value, "\(path).max_per_minute", minimum: 1) {
            sink.maxPerMinute = number
        }
        if let value = keys["timeout"], let interval = interval(value, "\(path).timeout") {
            if interval.milliseconds == 0 { problem(Self.line(value), "\(path).timeout", "must be longer than 0") } else {
                sink.timeout = interval
            }
        }
        return sink
    }

    // MARK: - Typed values

    /// The mapping's values by key; unknown keys are reported (with a suggestion).
    mutating func mapping(_ node: Node, _ path: String, allowed: [String]) -> [String: Node]? {
        guard let mapping = node.mapping else {
            problem(Self.line(node), path.isEmpty ? "(file)" : path, path.isEmpty ? "the config must be a YAML mapping" : "must be a mapping")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let hint = ConfigParser.suggestion(for: key, among: allowed).map { "did you mean '\($0)'? " } ?? ""
                problem(Self.line(keyNode), full, "unknown key (\(hint)allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            if result[key] != nil { problem(Self.line(keyNode), full, "given twice") }
            lines[full] = Self.line(keyNode)
            // `key:` with no value, or `~`, means "the default", as if the key were left out.
            if value.null != nil, value.scalar?.style == .plain { result[key] = nil; continue }
            result[key] = value
        }
        return result
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        guard let text = node.scalar?.string, !text.trimmingWhitespace.isEmpty else {
            problem(Self.line(node), path, "must be a non-empty text")
            return nil
        }
        return text
    }

    mutating func stringList(_ node: Node, _ path: String) -> [String]? {
        guard let sequence = node.sequence else {
            problem(Self.line(node), path, "must be a list, like [a, b]")
            return nil
        }
        var result: [String] = []
        var ok = true
        for (index, item) in sequence.enumerated() {
            lines["\(path)[\(index)]"] = Self.line(item)
            if let text = string(item, "\(path)[\(index)]") { result.append(text) } else { ok = false }
        }
        return ok ? result : nil
    }

    mutating func integer(_ node: Node, _ path: String, minimum: Int) -> Int? {
        guard let text = node.scalar?.string, let number = Int(text), number >= minimum else {
            problem(Self.line(node), path, "must be a whole number of at least \(minimum)")
            return nil
        }
        return number
    }

    mutating func interval(_ node: Node, _ path: String) -> Config.Interval? {
        guard let text = node.scalar?.string, let interval = Config.Interval.parse(text) else {
            problem(Self.line(node), path, "must be a duration like 250ms, 10s, 5m or 4h")
            return nil
        }
        return interval
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _ type: T.Type) -> T?
    where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        let hint = ConfigParser.suggestion(for: text, among: names).map { "; did you mean '\($0)'?" } ?? ""
        problem(Self.line(node), path, "'\(text)' is not one of \(names.joined(separator: ", "))\(hint)")
        return nil
    }

    func listenAddress(_ text: String) -> Config.ListenAddress? { ConfigParser.listenAddress(text) }
}
