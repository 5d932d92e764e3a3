import ArgumentParser
import Foundation
import LogwatchIO

// Exit codes are a contract (design.md): 0 success, 1 a check failed, 2 usage, configuration
// or rule errors. ArgumentParser reports usage errors as 64 (EX_USAGE), so they are mapped.
// ArgumentParser's own --version prints a fixed string; ours also counts the rules (run time).
if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
    Logwatch.printVersion()
    exit(0)
}
do {
    var command = try Logwatch.parseAsRoot()
    try command.run()
} catch {
    let code = Logwatch.exitCode(for: error)
    if code.rawValue == 64 {
        FileHandle.standardError.write(Data((Logwatch.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Logwatch.exit(withError: error)
}
