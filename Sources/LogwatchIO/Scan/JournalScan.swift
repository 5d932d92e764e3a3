import LogwatchCore

/// `logwatch scan --journal-dir`: reads a journal directory from its oldest entry to its
/// newest (no waiting) and frames the lines, each record carrying its entry's metadata.
/// `line` is the ordinal of the physical line within the scan.
///
/// Records also end where `EntryBoundary` says (another writer, a unit event, a quiet gap), so
/// `scan` frames a journal as following it would have.
public struct JournalScan {
    public var directory: String
    public var units: [String]
    public var matches: [String]
    public var gapSeconds = 1.0

    public init(directory: String, units: [String], matches: [String]) {
        self.directory = directory
        self.units = units
        self.matches = matches
    }

    /// The scan as a `BatchScan` input.
    public var input: BatchScan.Input {
        BatchScan.Input(name: "journal directory '\(directory)'") { body in try frame { body([$0]) } }
    }

    public func frame(framer configuration: Framer.Configuration = .init(),
                      _ body: (LogRecord) -> Void) throws -> Framer.Statistics {
        let source = try JournalSource(directory: directory, units: units, matches: matches, fromStart: true)
        source.remembersPositions = false
        var framer = Framer(source: source.label, configuration: configuration)
        var lineNumber = 0
        // Metadata of entries' first lines, until the record starting there (if any) is out.
        var metadata: [Int: EntryMetadata] = [:]
        var out: [LogRecord] = []
        var boundary = EntryBoundary(gapSeconds: gapSeconds)
        func emit() {
            for var record in out {
                metadata[record.line]?.apply(to: &record)
                body(record)
            }
            if let last = out.last { metadata = metadata.filter { $0.key > last.endLine } }
            out.removeAll(keepingCapacity: true)
        }
        repeat {
            _ = source.read(maxLines: 4096) { line, _, entry in
                lineNumber += 1
                if let entry { metadata[lineNumber] = entry }
                framer.push(line: line, number: lineNumber, metadata: entry, boundary: &boundary,
                            time: Double(source.currentRealtime) / 1_000_000, into: &out)
            }
            emit()
        } while !source.atEnd
        framer.flush(into: &out)
        emit()
        var statistics = framer.statistics
        // MESSAGEs cut at the entry cap count with the framer's cut lines in the summary.
        statistics.truncatedLines += source.entriesCut
        return statistics
    }
}
