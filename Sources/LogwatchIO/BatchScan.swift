import Foundation
import LogwatchCore

/// `logwatch scan`: classifies whole files (or a journal), then prints incidents and a summary
/// (or NDJSON).
public struct BatchScan {
    /// One thing to scan: a name for error messages, and a function that frames it whole.
    public struct Input {
        public var name: String
        public var frame: ((LogRecord) -> Void) throws -> Framer.Statistics

        public init(name: String, frame: @escaping ((LogRecord) -> Void) throws -> Framer.Statistics) {
            self.name = name
            self.frame = frame
        }

        /// A file read from its start (`-` is standard input).
        public static func file(_ path: String) -> Input {
            Input(name: path) { body in
                try FileReader.frame(path: path == "-" ? "/dev/stdin" : path, source: path == "-" ? "stdin" : path, body)
            }
        }
    }

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
        run(inputs: files.map(Input.file), ruleSet: ruleSet)
    }

    /// Scans every input in order; one that fails is reported and skipped.
    @discardableResult
    public func run(inputs: [Input], ruleSet: RuleSet) -> (incidents: [Incident], failedFiles: Int) {
        let classifier = Classifier(ruleSet: ruleSet)
        let redactor = Redactor()
        var book = IncidentBook(redactor: redactor)
        var lines = 0, records = 0, truncated = 0, failed = 0
        let now = Date().timeIntervalSince1970
        for input in inputs {
            do {
                let stats = try input.frame { record in
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
