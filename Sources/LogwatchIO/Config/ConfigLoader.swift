// Config/: config and rule files read from disk and the environment, handed to LogwatchCore's
// parsers (ConfigLoader, RuleDirectory). The edge. May use: State/ (database cache), LogwatchCore.
// The map of all rooms: docs/architecture.md.

import Foundation
import LogwatchCore

/// Reads a config file, parses it with `ConfigParser`, and resolves what depends on the
/// machine: relative paths (against the config file's folder, as Prometheus does), the state
/// directory, and each sink's `url_env`/`url_file` into its effective `url`.
///
/// Errors name the sink and key, never the secret. Used by `config check`, `run` and reload.
public enum ConfigLoader {
    public static let defaultPath = "/etc/logwatch/config.yaml"

    /// The config file `run` and `config check` read without `--config`: `$LOGWATCH_CONFIG`
    /// (containers), else `defaultPath`.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["LOGWATCH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
    }

    /// The file could not be read at all (exit code 2); problems inside it are `ConfigErrors`.
    public struct UnreadableFile: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read the config file '\(path)': \(reason)" }
    }

    /// Reads, parses, validates and resolves `path`, with the `LOGWATCH_*` overrides applied. Throws `UnreadableFile` or `ConfigErrors`
    /// (every problem at once).
    public static func load(path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LogwatchConfig {
        let text: String
        do {
            // A directory, FIFO or device (/dev/zero) is refused before it is read.
            let data = try SmallFile.read(path, limit: 16 << 20)
            guard let decoded = String(validating: data, as: UTF8.self) else {
                throw UnreadableFile(path: path, reason: "not UTF-8 text")
            }
            text = decoded
        } catch let problem as SourceCheck.Problem {
            throw UnreadableFile(path: path, reason: problem.reason)
        }
        let parsed = try EnvironmentOverrides.apply(to: ConfigParser().parse(text, file: path), environment: environment)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try resolve(parsed, file: path, relativeTo: folder, environment: environment)
    }

    /// Everything a start or a reload needs, built before anything is swapped in.
    public struct Loaded: Sendable {
        public var config: LogwatchConfig
        public var specs: [RuleSpec]
        public var ruleSet: RuleSet

        public init(config: LogwatchConfig, specs: [RuleSpec], ruleSet: RuleSet) {
            self.config = config
            self.specs = specs
            self.ruleSet = ruleSet
        }
    }

    /// `load(path:)` then `loadRules(for:file:)`: the config and its compiled rules together, for
    /// `run` and SIGHUP (a reload that throws leaves the running pair in place). Throws
    /// `UnreadableFile`, `ConfigErrors`, `RuleErrors` or `RuleDirectory.LoadError`.
    public static func loadWithRules(path: String,
                                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Loaded {
        let config = try load(path: path, environment: environment)
        let rules = try loadRules(for: config, file: path)
        return Loaded(config: config, specs: rules.specs, ruleSet: rules.ruleSet)
    }

    /// Resolves paths, the state directory and sink URLs of a parsed config.
    public static func resolve(_ parsed: LogwatchConfig, file: String, relativeTo folder: String,
                               environment: [String: String]) throws(ConfigErrors) -> LogwatchConfig {
        var config = parsed
        var problems: [ConfigProblem] = []
        func problem(_ key: String, _ message: String) {
            problems.append(ConfigProblem(file: file, line: config.line(of: key), key: key, message: message))
        }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (folder.hasSuffix("/") ? folder : folder + "/") + path
        }
        config.stateDirectory = config.stateDirectory ?? defaultStateDirectory(environment: environment)
        config.rules.directories = config.rules.directories.map(absolute)
        config.sources = config.sources.map { source in
            switch source {
            case .file(var file): file.paths = file.paths.map(absolute); return .file(file)
            case .journal(var journal): journal.directory = journal.directory.map(absolute); return .journal(journal)
            case .docker(var docker): docker.paths = docker.paths.map(absolute); return .docker(docker)
            case .cri(var cri): cri.paths = cri.paths.map(absolute); return .cri(cri)
            case .stdin: return source
            }
        }
        for index in config.sinks.indices {
            let sink = config.sinks[index]
            let path = "sinks[\(index)]"
            // Where the URL comes from (the variable or the file, as problems name it), and the URL.
            let key: String, origin: String, value: String
            switch sink.endpoint {
            case .none, .url, .urls:
                continue
            case .environment(let variable):
                key = "\(path).url_env"
                guard let text = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                    problem(key, "sink '\(sink.name)': the environment variable \(variable) is not set or empty")
                    continue
                }
                (origin, value) = (variable, text)
            case .file(let written):
                key = "\(path).url_file"
                let expanded: String
                switch expand(written, environment: environment) {
                case .success(let text): expanded = absolute(text)
                case .failure(let missing):
                    problem(key, "sink '\(sink.name)': \(missing.name) is not set"
                            + (missing.name == "CREDENTIALS_DIRECTORY" ? " (systemd sets it for LoadCredential=)" : ""))
                    continue
                }
                let data: [UInt8]
                do {
                    data = try SmallFile.read(expanded, limit: 64 << 10)
                } catch {
                    problem(key, "sink '\(sink.name)': cannot read \(expanded): \(error.reason)")
                    continue
                }
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty || text.contains("\n") {
                    problem(key, "sink '\(sink.name)': \(expanded) must hold exactly one URL on one line")
                    continue
                }
                (origin, value) = (expanded, text)
            }
            if let reason = ConfigParser.urlProblem(value, kind: sink.kind) {
                problem(key, "sink '\(sink.name)': the URL in \(origin) \(reason)")
                continue
            }
            config.sinks[index].url = value
        }
        if let written = config.http.tokenFile {
            switch expand(written, environment: environment) {
            case .success(let text):
                let file = absolute(text)
                let token = FileManager.default.contents(atPath: file)
                    .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
                if let token, !token.isEmpty, !token.contains(where: \.isWhitespace) {
                    config.http.token = token
                } else {
                    problem("http.token_file", token == nil ? "cannot read \(file)" : "\(file) must hold one token with no spaces")
                }
            case .failure(let missing):
                problem("http.token_file", "\(missing.name) is not set"
                        + (missing.name == "CREDENTIALS_DIRECTORY" ? " (systemd sets it for LoadCredential=)" : ""))
            }
        }
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        return config
    }

    /// Things that are not errors but that an operator should hear about: a file glob that matches
    /// nothing yet (it is followed when the file appears), a journal directory that is missing.
    public static func warnings(for config: LogwatchConfig, file: String) -> [ConfigProblem] {
        var warnings: [ConfigProblem] = []
        for (index, source) in config.sources.enumerated() {
            let paths: [String]
            switch source {
            case .file(let file): paths = file.paths
            case .docker(let docker): paths = docker.paths
            case .cri(let cri): paths = cri.paths
            case .journal(let journal):
                if let directory = journal.directory, !FileManager.default.fileExists(atPath: directory) {
                    let key = "sources[\(index)].directory"
                    warnings.append(ConfigProblem(file: file, line: config.line(of: key), key: key,
                                                  message: "\(directory) does not exist (yet)"))
                }
                paths = []
            case .stdin: paths = []
            }
            for (pathIndex, pattern) in paths.enumerated() where matchCount(pattern) == 0 {
                let key = "sources[\(index)].paths[\(pathIndex)]"
                warnings.append(ConfigProblem(file: file, line: config.line(of: key), key: key,
                                              message: "matches no file now; it is read once it appears"))
            }
        }
        return warnings
    }

    /// Files matching a glob(3) pattern now.
    static func matchCount(_ pattern: String) -> Int {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return 0 }
        return Int(result.gl_pathc)
    }

    /// `$STATE_DIRECTORY` (systemd's `StateDirectory=`; the first when several), else
    /// `$XDG_STATE_HOME/logwatch`, else `~/.local/state/logwatch`.
    public static func defaultStateDirectory(environment: [String: String]) -> String {
        if let state = environment["STATE_DIRECTORY"], let first = state.split(separator: ":").first {
            return String(first)
        }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/logwatch" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/logwatch"
    }

    struct MissingVariable: Error { var name: String }

    /// Expands `${NAME}` from the environment.
    static func expand(_ text: String, environment: [String: String]) -> Result<String, MissingVariable> {
        var result = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[start.upperBound..<end])
            guard let value = environment[name], !value.isEmpty else { return .failure(MissingVariable(name: name)) }
            result += rest[..<start.lowerBound] + value
            rest = rest[rest.index(after: end)...]
        }
        return .success(result + rest)
    }

    /// Loads and compiles the configured rule directories without the disabled ids, and checks
    /// that every disabled id exists (a typo there would leave a noisy rule on).
    public static func loadRules(for config: LogwatchConfig, file: String) throws -> (specs: [RuleSpec], ruleSet: RuleSet) {
        // A missing directory is the config's fault: say which line names it.
        var missing: [ConfigProblem] = []
        for (index, directory) in config.rules.directories.enumerated() {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                let key = "rules.dirs[\(index)]"
                missing.append(ConfigProblem(file: file, line: config.line(of: key), key: key,
                                             message: "the rule directory \(directory) does not exist or is not a directory"))
            }
        }
        if !missing.isEmpty { throw ConfigErrors(problems: missing) }
        let loaded = try RuleDirectory.load(config.rules.directories, disabled: Set(config.rules.disabled))
        let all = Set(loaded.specs.map(\.id))
        var problems: [ConfigProblem] = []
        if !config.rules.disabled.isEmpty {
            // Ids of every rule file, disabled ones included.
            var known = all
            var files: [(path: String, contents: String)] = []
            for directory in config.rules.directories.isEmpty ? [RuleDirectory.shipped()].compactMap({ $0 }) : config.rules.directories {
                files += (try? RuleDirectory.files(in: directory)) ?? []
            }
            known.formUnion(RuleLoader().load(files: files).rules.map(\.id))
            for (index, id) in config.rules.disabled.enumerated() where !known.contains(id) {
                let key = "rules.disable[\(index)]"
                problems.append(ConfigProblem(file: file, line: config.line(of: key), key: key,
                                              message: "no rule has the id '\(id)' (see 'logwatch rules list')"))
            }
        }
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        return loaded
    }
}
