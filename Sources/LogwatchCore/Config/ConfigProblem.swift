/// One problem in a config file, with the key path (`sinks[0].url_env`) and its line.
/// All problems are collected and reported together, like rule problems.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The key path, e.g. `sources[1].units[0]`.
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// Line 0: a problem with no line, such as a `LOGWATCH_*` environment variable.
    public var description: String { line > 0 ? "\(file):\(line): \(key): \(message)" : "\(file): \(key): \(message)" }
}

/// Every problem found in a config file.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public init(problems: [ConfigProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
