import ArgumentParser
import LogwatchCore
import LogwatchIO

/// Reads a config file and its rules, printing every problem; throws the exit code the
/// contract gives: 2 for an unreadable file, `problemExit` for problems inside it (1 for a
/// check, 2 for `run`, where a bad config is a configuration error).
func loadConfig(_ path: String, problemExit: Int32) throws -> ConfigLoader.Loaded {
    do {
        return try ConfigLoader.loadWithRules(path: path)
    } catch let error as ConfigLoader.UnreadableFile {
        Output.err("logwatch: \(error)")
        throw ExitCode(2)
    } catch let errors as ConfigErrors {
        Output.err("logwatch: the config has \(errors.problems.count) problem(s):")
        for problem in errors.problems { Output.err("  \(problem)") }
        throw ExitCode(problemExit)
    } catch let errors as RuleErrors {
        Output.err("logwatch: the configured rules have \(errors.problems.count) problem(s):")
        for problem in errors.problems { Output.err("  \(problem)") }
        throw ExitCode(problemExit)
    } catch {
        Output.err("logwatch: \(path): rules: \(error)")
        throw ExitCode(problemExit)
    }
}
