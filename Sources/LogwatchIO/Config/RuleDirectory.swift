import Foundation
import LogwatchCore

/// Finds and reads rule directories, then loads and compiles them.
public enum RuleDirectory {
    /// The shipped catalogue: `$LOGWATCH_RULES`, beside the installed binary
    /// (`../share/logwatch/rules` as `make install` puts it, `./Rules`), or the source tree the binary was built in.
    public static func shipped() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["LOGWATCH_RULES"], !env.isEmpty { return env }
        // argv[0] is a bare name when the binary was found on PATH (`logwatch scan ...` after
        // `apt install`), which would resolve against the working directory; the kernel's link
        // names the file actually running.
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let executable = URL(fileURLWithPath: running).resolvingSymlinksInPath()
        var candidates: [URL] = []
        let bin = executable.deletingLastPathComponent()
        // `make install` puts the catalogue in $(PREFIX)/share/logwatch/rules.
        candidates.append(bin.appendingPathComponent("../share/logwatch/rules"))
        candidates.append(bin.appendingPathComponent("../share/logwatch/Rules"))
        candidates.append(bin.appendingPathComponent("Rules"))
        var dir = bin
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("Rules"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Rules"))
        for candidate in candidates {
            var isDir: ObjCBool = false
            let path = candidate.standardizedFileURL.path
            if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
               fm.fileExists(atPath: path + "/auth") || fm.fileExists(atPath: path + "/deploy") {
                return path
            }
        }
        return nil
    }

    /// Every `*.yaml` file below `directory` (class folders one level down), sorted.
    public static func files(in directory: String) throws -> [(path: String, contents: String)] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw LoadError.notADirectory(directory)
        }
        var result: [(String, String)] = []
        guard let enumerator = fm.enumerator(atPath: directory) else { return [] }
        var paths: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
            paths.append(relative)
        }
        for relative in paths.sorted() {
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            result.append((path, String(decoding: data, as: UTF8.self)))
        }
        return result
    }

    public enum LoadError: Error, CustomStringConvertible {
        case notADirectory(String)
        case noShippedRules

        public var description: String {
            switch self {
            case .notADirectory(let path): "rule directory '\(path)' does not exist or is not a directory"
            case .noShippedRules: "could not find the shipped Rules/ directory; pass --rules DIR or set LOGWATCH_RULES"
            }
        }
    }

    /// What `logwatch --version` reports: how many rules the given directories (or the shipped
    /// catalogue) hold, parsed but not compiled, and how many files had problems.
    public struct Census: Sendable, Equatable {
        public var directories: [String]
        public var rules: Int
        public var problems: Int
    }

    /// Parses (without compiling) the rules `load` would load, to count them cheaply.
    public static func census(_ directories: [String]) throws -> Census {
        var dirs = directories
        if dirs.isEmpty {
            guard let shipped = shipped() else { throw LoadError.noShippedRules }
            dirs = [shipped]
        }
        var files: [(path: String, contents: String)] = []
        for dir in dirs { files += try Self.files(in: dir) }
        let (specs, problems) = RuleLoader().load(files: files)
        return Census(directories: dirs, rules: specs.count, problems: problems.count)
    }

    /// Loads and compiles the given directories (or the shipped catalogue), excluding
    /// disabled rule ids. Throws every rule problem at once.
    /// Compiled databases come from `cache` when the same rules were compiled before.
    public static func load(_ directories: [String], disabled: Set<String> = [],
                            cache: (any HyperscanDatabaseCache)? = FileDatabaseCache.standard()) throws
        -> (specs: [RuleSpec], ruleSet: RuleSet) {
        var dirs = directories
        if dirs.isEmpty {
            guard let shipped = shipped() else { throw LoadError.noShippedRules }
            dirs = [shipped]
        }
        var files: [(path: String, contents: String)] = []
        for dir in dirs { files += try Self.files(in: dir) }
        let (specs, problems) = RuleLoader().load(files: files)
        let enabled = specs.filter { !disabled.contains($0.id) }
        if !problems.isEmpty {
            // Compile too, so pattern errors are reported together with the loader's.
            var all = problems
            do { _ = try RuleCompiler().compile(enabled) } catch { all += error.problems }
            throw RuleErrors(problems: all)
        }
        return (enabled, try RuleCompiler(cache: cache).compile(enabled))
    }
}
