import Yams

/// One problem in a file an operator wrote (a rule file, the config): the file, the line, the
/// field or key path it concerns (`match[1]`, `sinks[0].url_env`) and what is wrong. Problems are
/// collected and reported together, never one at a time. Rules and config share this one type
/// (`RuleProblem`, `ConfigProblem`), so they print and compare the same way.
public struct FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The field (rule files) or key path (config) the problem concerns.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// The config's spelling: its fields are key paths.
    public init(file: String, line: Int, key: String, message: String) {
        self.init(file: file, line: line, field: key, message: message)
    }

    /// The key path, e.g. `sources[1].units[0]` (the config's name for `field`).
    public var key: String {
        get { field }
        set { field = newValue }
    }

    /// Line 0: a problem with no line, such as a `LOGWATCH_*` environment variable.
    public var description: String { line > 0 ? "\(file):\(line): \(field): \(message)" : "\(file): \(field): \(message)" }

    /// A YAML document, composed by `compose`; a syntax error becomes one problem with its line
    /// (and keys given twice, the keys), worded the same for every file logwatch reads.
    static func composeYAML(_ text: String, file: String, _ compose: (String) throws -> Node?) -> Result<Node?, FileProblem> {
        do {
            return .success(try compose(text))
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                return .failure(FileProblem(file: file, line: mark.line, field: "(yaml)", message: "not valid YAML: \(problem)"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                return .failure(FileProblem(file: file, line: context.mark.line, field: duplicates.joined(separator: ", "),
                                            message: "given twice in one mapping"))
            default:
                return .failure(FileProblem(file: file, line: 1, field: "(yaml)", message: "not valid YAML: \(error)"))
            }
        } catch {
            return .failure(FileProblem(file: file, line: 1, field: "(yaml)", message: "not valid YAML: \(error)"))
        }
    }
}

/// One problem found in a rule file.
public typealias RuleProblem = FileProblem
/// One problem in a config file, with the key path (`sinks[0].url_env`) and its line.
public typealias ConfigProblem = FileProblem
