import ArgumentParser
import LogwatchCore
import LogwatchIO

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Classify whole files, then print the incidents and a summary by class and rule.",
        discussion: """
        Examples:
          logwatch scan /var/log/litellm.log
          logwatch scan Samples/proxy-plain.log --json > matches.ndjson
          cat proxy.log | logwatch scan -
        """)

    @Argument(help: "Log files to read ('-' for standard input).")
    var files: [String]

    @OptionGroup var common: CommonOptions

    func run() throws {
        let ruleSet = try common.loadRules()
        let scan = BatchScan(json: common.json, links: common.links, colour: Output.colourOnStdout)
        let result = scan.run(files: files, ruleSet: ruleSet)
        if result.failedFiles > 0 { throw ExitCode(2) }
    }
}
