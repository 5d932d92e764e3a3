import Foundation
import LogwatchCore

/// `logwatch scan`: classifies whole files, then prints incidents and a summary (or NDJSON).
public struct BatchScan {
    public var json = false
    public var links = EntryLinks()
    public var colour = false

    public init(json: Bool, links: EntryLinks, colour: Bool) {
        self.json = json
        self.links = links
        self.colour = colour
    }

    /// Scans every file; returns the incidents. Unreadable files are reported and skipped.
    @discardableResult
    public func run(files: [String], ruleSet: RuleSet) -> (incidents: [Incident], failedFiles: Int) {
        let classifier = Classifier(ruleSet: ruleSet)
        let redactor = Redactor()
        var book = IncidentBook(redactor: redactor)
        var lines = 0, records = 0, truncated = 0, failed = 0
        let now = Date().timeIntervalSince1970
        for file in files {
            do {
                let source = file == "-" ? "stdin" : file
                let stats = try FileReader.frame(path: file == "-" ? "/dev/stdin" : file, source: source) { record in
                    guard let classification = classifier.classify(record) else { return }
                    book.add(classification, time: now)
                    if json { Output.out(RecordJSON.render(classification, redactor: redactor, links: links)) }
                }
                lines += stats.lines
                records += stats.records
                truncated += stats.truncatedLines
            } catch {
                Output.err("logwatch: \(error)")
                failed += 1
            }
        }
        if !json {
            let text = IncidentText(style: TextStyle(colour: colour), links: links)
            for incident in book.incidents {
                Output.out(text.render(incident, entry: ruleSet.rule(id: incident.ruleID)?.entry) + "\n")
            }
            Output.out(text.summary(book.incidents, records: lines, framed: records, truncated: truncated))
        }
        return (book.incidents, failed)
    }
}
