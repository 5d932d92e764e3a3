import LogwatchCore

/// Where an entry must begin a new record although its text reads like a continuation: another
/// writer (process or unit: the service restarted, or another unit interleaves), a systemd
/// start/stop message (each keeps its own unit event), or the journal being quiet for longer
/// than `gapSeconds` (what the live idle timeout does, on the entries' own clock).
///
/// Feed it the metadata of every entry's first line; when it answers true, flush the framer
/// before pushing the line.
public struct EntryBoundary: Sendable {
    public var gapSeconds: Double
    private var previous: (time: Double?, writer: [String?], unitEvent: Bool)?

    public init(gapSeconds: Double = 1) {
        self.gapSeconds = gapSeconds
    }

    /// `time` is the entry's time in seconds (journal realtime), or nil where a live loop's
    /// idle timeout already ends records.
    public mutating func startsRecord(_ metadata: EntryMetadata, time: Double?) -> Bool {
        let writer = [metadata.attributes["pid"], metadata.attributes["unit"]]
        let isEvent = metadata.unitEvent != nil
        defer { previous = (time, writer, isEvent) }
        guard let previous else { return false }
        if previous.writer != writer || previous.unitEvent || isEvent { return true }
        if let time, let before = previous.time, time - before > gapSeconds { return true }
        return false
    }
}

extension Framer {
    /// Feeds one line from a source that may carry entry metadata (journald, containers): the
    /// one place where entries become records, for following and for `scan --journal-dir`.
    /// `metadata` is the entry's, on its first line only; `time` as for `startsRecord`.
    mutating func push(line: ArraySlice<UInt8>, number: Int, metadata: EntryMetadata?, boundary: inout EntryBoundary,
                       time: @autoclosure () -> Double?, into out: inout [LogRecord]) {
        if let metadata, boundary.startsRecord(metadata, time: time()) { flush(into: &out) }
        push(line: line, number: number, entry: metadata?.separateEntry ?? false, into: &out)
    }
}
