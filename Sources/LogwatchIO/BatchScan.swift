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
        let renderer = RecordJSON.Renderer(redactor: redactor, links: links)
        var out = BufferedOutput(fd: STDOUT_FILENO)
        defer { out.flush() }
        for file in files {
            do {
                let source = file == "-" ? "stdin" : file
                let stats = try FileReader.frameBlocks(path: file == "-" ? "/dev/stdin" : file, source: source) { records in
                    classifier.classify(batch: records) { classification in
                        book.add(classification, time: now)
                        if json { out.write(renderer.render(classification)) }
                    }
                }
                lines += stats.lines
                records += stats.records
                truncated += stats.truncatedLines
            } catch {
                Output.err("logwatch: \(error)")
                failed += 1
            }
        }
        out.flush()
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

/// Batch output: one `write(2)` per 64 KiB instead of one per record. Only for `scan`, where
/// nobody waits for a single line; followers keep `Output`'s write-per-line.
struct BufferedOutput {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ line: String) {
        buffer += line.utf8
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        buffer.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return } // a closed pipe: nothing more to do
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
