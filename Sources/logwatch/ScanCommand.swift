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
          logwatch scan /var/log/litellm.log --class auth --min-severity error
          logwatch scan big.log --summary
          cat proxy.log | logwatch scan -
        """)

    @Argument(help: "Log files to read ('-' for standard input).")
    var files: [String] = []

    @OptionGroup var journalOptions: JournalOptions
    var journalDirectory: String? { journalOptions.journalDirectory }
    var units: [String] { journalOptions.units }
    var matches: [String] { journalOptions.matches }

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("class"), help: "List only incidents of this class (repeatable): auth, quota, model, runtime, deploy, unknown.")
    var classes: [IncidentClass] = []

    @Option(name: .customLong("min-severity"), help: "List only incidents at least this severe: info, warning, error, critical.")
    var minSeverity: Severity = .info

    @Flag(name: .customLong("summary"), help: "Print the summary only, without a block per incident.")
    var summaryOnly = false

    /// Frames every line instead of only the stretches the gate marks: the same output, slower.
    /// For `make bench`, which checks the two agree byte for byte.
    @Flag(name: .customLong("frame-all"), help: .hidden)
    var frameAll = false

    func validate() throws {
        if files.isEmpty && journalDirectory == nil {
            throw ValidationError("Nothing to scan: give log files, or --journal-dir DIR.")
        }
        if journalDirectory == nil && !(units.isEmpty && matches.isEmpty) {
            throw ValidationError("--unit and --match need --journal-dir.")
        }
        if common.json && (!classes.isEmpty || minSeverity != .info || summaryOnly) {
            // --json writes every matched record as it is classified, before incidents exist.
            throw ValidationError("--class, --min-severity and --summary choose incidents to list; they do not apply to --json.")
        }
    }

    func run() throws {
        let ruleSet = try common.loadRules()
        var scan = BatchScan(json: common.json, links: common.links, colour: Output.colourOnStdout)
        scan.verbose = common.verbose
        scan.width = Output.widthOfStdout
        scan.classes = classes.isEmpty ? nil : Set(classes)
        scan.minSeverity = minSeverity
        scan.summaryOnly = summaryOnly
        // Frames only what can lead to output; nil (frame everything) for rule sets it cannot gate.
        let gate = frameAll ? nil : RecordGate(ruleSet: ruleSet, cache: FileDatabaseCache.standard())
        var inputs = files.map { BatchScan.Input.file($0, gate: gate) }
        if let journalDirectory {
            inputs.append(JournalScan(directory: journalDirectory, units: units.isEmpty ? ["litellm.service"] : units,
                                      matches: matches).input)
        }
        let result = scan.run(inputs: inputs, ruleSet: ruleSet)
        if result.failedFiles > 0 { throw ExitCode(2) }
    }
}
