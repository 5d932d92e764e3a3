import Foundation
import LogwatchIO

extension Logwatch {
    /// `logwatch --version`: the build's version and the rules this binary would load, counted
    /// now, because the catalogue is installed apart from the binary and may be older or newer.
    /// Always exits 0 with the version on standard output: a missing or broken catalogue is said
    /// on standard error, never hidden behind a count.
    static func printVersion() {
        do {
            let census = try RuleDirectory.census([])
            var line = "logwatch \(version) (\(census.rules) rules in \(census.directories.joined(separator: ", "))"
            if census.problems > 0 { line += "; \(census.problems) problem(s), see `logwatch rules check`" }
            print(line + ")")
        } catch {
            print("logwatch \(version)")
            Output.err("logwatch: rules not counted: \(error)")
        }
    }
}
