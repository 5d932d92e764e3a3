import CSystemd
import Foundation
import LogwatchCore

/// Reads journald through sd-journal: the system journal, or a directory of journal files
/// (`systemd-journal-remote` output, a copied `/var/log/journal/<machine-id>`).
///
/// Each MESSAGE line is handed over as one physical line (journald splits a service's stdout
/// per line, so a traceback arrives as many entries and the framer joins them again); the
/// entry's first line carries its `EntryMetadata`. A token names one line of one entry, so a
/// checkpoint can fall inside a multi-line MESSAGE: it then holds the entry's cursor and how
/// many of its lines were done, and a restore delivers the rest of that entry.
///
/// Checkpoint text: `realtime=USEC [lines=N] cursor=CURSOR`. `restore` seeks the cursor and
/// checks with `sd_journal_test_cursor` that it landed (a bogus or vacuumed cursor seeks
/// without error); if not, it seeks the realtime timestamp instead and reports `.fallback`.
public final class JournalSource: LogSource {
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, String)
        case invalidMatch(String, String)

        public var description: String {
            switch self {
            case .cannotOpen(let what, let reason): "cannot open the journal \(what): \(reason)"
            case .invalidMatch(let match, let reason): "invalid journal match '\(match)': \(reason)"
            }
        }
    }

    public let key: String
    public let label = "journal"
    public let directory: String?
    public let units: [String]
    /// Entries read, and entries whose MESSAGE was cut at `maxEntryBytes`.
    public private(set) var entriesRead = 0
    public private(set) var entriesCut = 0
    /// Set when the last read reached the newest entry (used by batch reading).
    public private(set) var atEnd = false

    private var journal: OpaquePointer?
    private let maxEntryBytes: Int
    private let descriptor: Int32
    private var events: [SourceEvent] = []
    /// Cursor and timestamp of every entry delivered since the last checkpoint, by serial.
    private var positions: [Position] = []
    private var firstSerial: Int64 = 0
    private var nextSerial: Int64 = 0
    /// The realtime timestamp of the entry whose lines are being handed over.
    private(set) var currentRealtime: UInt64 = 0
    /// After a restore that landed inside an entry: deliver the current entry from this line.
    private var resumeCurrentAt: Int?

    struct Position {
        var cursor: String
        var realtime: UInt64
        var lineCount: Int
    }

    /// Low bits of a token: the line within its entry (a 1 MiB MESSAGE has at most 2^20 + 1 lines).
    static let lineBits: Int64 = 24
    /// Positions kept when checkpoints never come (bounded memory: about 10 MB of cursors).
    static let maxPositions = 65_536
    /// Off for batch reading, which never checkpoints.
    var remembersPositions = true

    /// The checkpoint key of a source with these settings (the same config gives the same key,
    /// so a restart or a reload finds its position).
    public static func key(directory: String?, units: [String], matches: [String]) -> String {
        // Sorted: `--unit a --unit b` and `--unit b --unit a` share one checkpoint.
        "journal:" + units.sorted().joined(separator: ",") + (matches.isEmpty ? "" : "|" + matches.sorted().joined(separator: ","))
            + (directory.map { ":" + $0 } ?? "")
    }

    /// Opens the journal. `units` are OR-ed (each also matches systemd's own messages about it),
    /// then AND-ed with `matches` (`FIELD=VALUE`, sd-journal rules: same field OR, different AND).
    /// Reading starts at the newest entry (only what arrives later) unless `fromStart`.
    public init(directory: String?, units: [String], matches: [String], fromStart: Bool = false,
                maxEntryBytes: Int = 1 << 20) throws {
        let units = units.map(Self.unitName)
        self.directory = directory
        self.units = units
        self.maxEntryBytes = maxEntryBytes
        key = Self.key(directory: directory, units: units, matches: matches)
        var j: OpaquePointer?
        let r: Int32
        if let directory {
            r = sd_journal_open_directory(&j, directory, 0)
        } else {
            r = sd_journal_open(&j, Int32(SD_JOURNAL_LOCAL_ONLY))
        }
        guard r >= 0, let j else {
            throw Failure.cannotOpen(directory.map { "directory '\($0)'" } ?? "(system)", String(cString: strerror(-r)))
        }
        journal = j
        // Asked for now so inotify watches exist before the first read: nothing written in
        // between is missed.
        descriptor = sd_journal_get_fd(j)
        _ = sd_journal_set_data_threshold(j, maxEntryBytes + 16)
        do {
            try Self.addMatches(j, units: units, matches: matches)
        } catch {
            sd_journal_close(j)
            journal = nil
            throw error
        }
        if fromStart {
            _ = sd_journal_seek_head(j)
            events.append(SourceEvent(.opened, source: key, "reading the journal from its oldest entry"))
        } else {
            Self.seekAfterNewest(j)
            events.append(SourceEvent(.opened, source: key, "reading new journal entries"))
        }
        var usage: UInt64 = 0
        if sd_journal_get_usage(j, &usage) >= 0, usage == 0 {
            let hint = directory == nil
                ? "; if entries are expected, run as root or in the systemd-journal group"
                : "; waiting for journal files to appear"
            events.append(SourceEvent(.waiting, source: key, "no journal files are readable yet" + hint))
        }
    }

    deinit {
        if let journal { sd_journal_close(journal) }
    }

    /// `litellm` means `litellm.service`, as with `journalctl -u`.
    public static func unitName(_ name: String) -> String {
        name.contains(".") ? name : name + ".service"
    }

    /// Positions so that `next` returns only entries written from now on.
    static func seekAfterNewest(_ j: OpaquePointer) {
        _ = sd_journal_seek_tail(j)
        // Step onto the newest matching entry. With none (an empty journal-remote directory),
        // a tail position would make `next` skip to the newest entry once files appear, losing
        // the ones before it: start from the head instead, as everything there will be new.
        if sd_journal_previous(j) <= 0 { _ = sd_journal_seek_head(j) }
    }

    static func addMatches(_ j: OpaquePointer, units: [String], matches: [String]) throws {
        func add(_ match: String) throws {
            let r = match.withCString { sd_journal_add_match(j, $0, 0) }
            if r < 0 { throw Failure.invalidMatch(match, String(cString: strerror(-r))) }
        }
        for unit in units {
            try add("_SYSTEMD_UNIT=\(unit)")
            _ = sd_journal_add_disjunction(j)
            try add("UNIT=\(unit)")
            try add("_PID=1")
            _ = sd_journal_add_disjunction(j)
            try add("USER_UNIT=\(unit)")
            _ = sd_journal_add_disjunction(j)
        }
        guard !matches.isEmpty else { return }
        if !units.isEmpty { _ = sd_journal_add_conjunction(j) }
        for match in matches {
            guard let equals = match.firstIndex(of: "="), equals != match.startIndex,
                  match[..<equals].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else {
                throw Failure.invalidMatch(match, "expected FIELD=VALUE with an upper-case field name")
            }
            try add(match)
        }
    }

    public var waitDescriptor: Int32? { descriptor >= 0 ? descriptor : nil }

    public func takeEvents() -> [SourceEvent] {
        defer { events.removeAll() }
        return events
    }

    // MARK: Reading

    public func read(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> ReadStatus {
        guard let j = journal else { return .more }
        // Consumes the inotify events, so new and rotated files become visible to `next`.
        if descriptor >= 0 { _ = sd_journal_process(j) }
        var delivered = 0, examined = 0
        if let start = resumeCurrentAt {
            resumeCurrentAt = nil
            delivered += deliverCurrent(j, fromLine: start, line)
        }
        atEnd = false
        while delivered < maxLines && examined < maxLines {
            let r = sd_journal_next(j)
            if r < 0 {
                events.append(SourceEvent(.error, source: key, "reading the journal failed: \(String(cString: strerror(-r)))"))
                break
            }
            if r == 0 {
                atEnd = true
                break
            }
            examined += 1
            delivered += deliverCurrent(j, fromLine: 0, line)
        }
        return .more
    }

    /// Hands over the current entry's lines from `fromLine`; returns how many.
    private func deliverCurrent(_ j: OpaquePointer, fromLine: Int,
                                _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> Int {
        var realtime: UInt64 = 0
        _ = sd_journal_get_realtime_usec(j, &realtime)
        var cursorPointer: UnsafeMutablePointer<CChar>?
        guard sd_journal_get_cursor(j, &cursorPointer) >= 0, let cursorPointer else {
            events.append(SourceEvent(.error, source: key, "an entry without a cursor was skipped"))
            return 0
        }
        let cursor = String(cString: cursorPointer)
        free(cursorPointer)
        var (message, fields) = Self.readFields(j)
        entriesRead += 1
        guard var message else { return 0 }
        if JournalEntryMapping.cap(&message, at: maxEntryBytes) { entriesCut += 1 }
        let lines = JournalEntryMapping.lines(of: message)
        let metadata = JournalEntryMapping.metadata(field: { fields[$0] }, realtimeUsec: realtime, message: message,
                                                    units: units)
        fields.removeAll()
        let serial = remember(Position(cursor: cursor, realtime: realtime, lineCount: lines.count))
        currentRealtime = realtime
        var count = 0
        for (index, text) in lines.enumerated() where index >= fromLine {
            line(text, serial << Self.lineBits | Int64(index), count == 0 ? metadata : nil)
            count += 1
        }
        return count
    }

    /// MESSAGE (bytes; nil when the entry has none) and the other fields the mapping reads.
    static func readFields(_ j: OpaquePointer) -> ([UInt8]?, [String: String]) {
        var message: [UInt8]?
        var fields: [String: String] = [:]
        var data: UnsafeRawPointer?
        var length = 0
        sd_journal_restart_data(j)
        // `available` skips fields that cannot be read (unsupported compression) instead of stopping.
        while sd_journal_enumerate_available_data(j, &data, &length) > 0 {
            guard let data else { continue }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = bytes[..<equals]
            if name.elementsEqual("MESSAGE".utf8) {
                message = Array(bytes[(equals + 1)...])
            } else if name.count <= 17, let field = wanted.first(where: { name.elementsEqual($0.utf8) }) {
                fields[field] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
            }
        }
        return (message, fields)
    }

    static let wanted = JournalEntryMapping.fieldNames

    private func remember(_ position: Position) -> Int64 {
        guard remembersPositions else {
            defer { nextSerial += 1; firstSerial = nextSerial }
            return nextSerial
        }
        if positions.count >= Self.maxPositions {
            positions.removeFirst(positions.count / 2)
            firstSerial = nextSerial - Int64(positions.count)
        }
        positions.append(position)
        defer { nextSerial += 1 }
        return nextSerial
    }

    // MARK: Positions

    public func checkpoint(after token: Int64) -> String? {
        let serial = token >> Self.lineBits
        let index = Int(token & ((1 << Self.lineBits) - 1))
        guard serial >= firstSerial, serial < nextSerial else { return nil }
        let position = positions[Int(serial - firstSerial)]
        // Checkpoints move forward: what lies before this one is not asked for again.
        positions.removeFirst(Int(serial - firstSerial))
        firstSerial = serial
        let done = index + 1 < position.lineCount ? " lines=\(index + 1)" : ""
        return "realtime=\(position.realtime)\(done) cursor=\(position.cursor)"
    }

    struct Checkpoint: Equatable {
        var realtime: UInt64
        var lines: Int?
        var cursor: String

        init(realtime: UInt64, lines: Int?, cursor: String) {
            self.realtime = realtime
            self.lines = lines
            self.cursor = cursor
        }

        init?(_ text: String) {
            var realtime: UInt64?, lines: Int?, cursor: String?
            for part in text.split(separator: " ") {
                if part.hasPrefix("realtime=") { realtime = UInt64(part.dropFirst(9)) }
                else if part.hasPrefix("lines=") { lines = Int(part.dropFirst(6)) }
                else if part.hasPrefix("cursor=") { cursor = String(part.dropFirst(7)) }
            }
            guard let realtime, let cursor, !cursor.isEmpty else { return nil }
            self.init(realtime: realtime, lines: lines, cursor: cursor)
        }
    }

    public func restore(_ text: String) {
        guard let j = journal else { return }
        guard let saved = Checkpoint(text) else {
            events.append(SourceEvent(.error, source: key, "the saved journal position '\(text.prefix(80))' is unreadable; reading new entries only"))
            return
        }
        // A bogus or vacuumed cursor seeks without error: only test_cursor after next says we landed.
        if sd_journal_seek_cursor(j, saved.cursor) >= 0, sd_journal_next(j) > 0, sd_journal_test_cursor(j, saved.cursor) > 0 {
            resumeCurrentAt = saved.lines
            events.append(SourceEvent(.resumed, source: key, "resuming after the saved journal cursor"))
            return
        }
        _ = sd_journal_seek_realtime_usec(j, saved.realtime)
        let when = JournalEntryMapping.timestamp(realtimeUsec: saved.realtime)
        let r = sd_journal_next(j)
        if r > 0 {
            var realtime: UInt64 = 0
            _ = sd_journal_get_realtime_usec(j, &realtime)
            if realtime == saved.realtime {
                // Taken to be the checkpointed entry: skip what of it was done.
                resumeCurrentAt = saved.lines
            } else {
                resumeCurrentAt = 0
            }
        } else {
            // Nothing at or after the time: the next entry written is the first to read.
            Self.seekAfterNewest(j)
        }
        events.append(SourceEvent(.fallback, source: key,
                                  "the saved journal cursor no longer exists (journal rotated or vacuumed?); resuming at its time \(when) instead — entries of that same microsecond may be skipped"))
    }
}
