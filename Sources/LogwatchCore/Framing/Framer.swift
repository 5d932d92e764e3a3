import CLineScan
/// Turns physical lines into records: strips colour and wrappers, decodes JSON log lines,
/// and joins Python tracebacks and multi-line messages into the record they belong to.
///
/// A record ends when the next record starts, at `flush()` (end of input, or an idle timeout
/// when following). Pure and single-threaded: one `Framer` per source.
public struct Framer: Sendable {
    public struct Configuration: Sendable {
        /// Longer lines are cut here and counted.
        public var maxLineBytes = 64 * 1024
        /// A record grows to at most this many bytes or lines; then a new one starts.
        public var maxRecordBytes = 1024 * 1024
        public var maxRecordLines = 2_000
        public init() {}
    }

    public struct Statistics: Sendable, Equatable {
        public var lines = 0
        public var records = 0
        public var truncatedLines = 0
        public var jsonLines = 0
        public init() {}
    }

    public let source: String
    public let configuration: Configuration
    public private(set) var statistics = Statistics()

    private var current: LogRecord?
    private var currentLines = 0
    private var currentHasTraceback = false
    /// The record's level is ERROR or worse, or WARNING. Whether its text looks like an error
    /// is only asked when a traceback follows (rarely), over the whole text so far: the words
    /// hold no newline, so that is the same as asking line by line as lines arrive.
    private var currentLevelErrorish = false
    /// The last non-blank line was Python's "During handling of the above exception..." or
    /// "The above exception was the direct cause...": the next traceback is the same chain.
    private var afterChainMarker = false

    public init(source: String, configuration: Configuration = Configuration()) {
        self.source = source
        self.configuration = configuration
    }

    public var hasPendingRecord: Bool { current != nil }

    /// How many lines the record being built has so far (0 when none).
    public var pendingLineCount: Int { current == nil ? 0 : currentLines }

    /// Feeds one physical line (without its newline) and appends finished records to `out`.
    public mutating func push(line raw: ArraySlice<UInt8>, number: Int, position: String? = nil,
                              into out: inout [LogRecord]) {
        statistics.lines += 1
        let (line, truncated, wrapperTime) = Self.clean(raw, configuration)
        if truncated { statistics.truncatedLines += 1 }

        if line.first == UInt8(ascii: "{") {
            switch decodeJSON(line, number: number, position: position, wrapperTime: wrapperTime, into: &out) {
            case .text: break
            case .unwrapped: return
            case .record(let record):
                finish(into: &out)
                statistics.jsonLines += 1
                emit(record, into: &out)
                return
            }
        }

        let header = LineHeader.parse(line)
        if let header, header.kind == .traceback, current != nil,
           (!currentHasTraceback && (currentLevelErrorish || Self.looksErrorish(current!.text[...]))) || afterChainMarker,
           currentLines < configuration.maxRecordLines {
            // An `.exception()` log line is followed by its traceback: same record.
            append(line, number: number, position: position, truncated: truncated)
            currentHasTraceback = true
            afterChainMarker = false
            return
        }
        if header == nil, current != nil, currentLines < configuration.maxRecordLines,
           current!.text.count + line.count < configuration.maxRecordBytes {
            append(line, number: number, position: position, truncated: truncated)
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { afterChainMarker = Self.isChainMarker(line) }
            return
        }
        finish(into: &out)
        var record = LogRecord(text: Array(line), source: source, line: number, level: header?.level,
                               timestamp: header?.timestamp ?? wrapperTime, logger: header?.logger,
                               truncated: truncated, position: position)
        if header?.kind == .traceback { currentHasTraceback = true } else { currentHasTraceback = false }
        if record.level == "WARN" { record.level = "WARNING" }
        current = record
        currentLines = 1
        currentLevelErrorish = record.isErrorLevel || record.level == "WARNING"
    }

    /// The first step for every line: cut to `maxLineBytes`, drop a trailing CR, strip colour,
    /// then wrappers. Whatever follows sees only the cleaned line.
    static func clean(_ raw: ArraySlice<UInt8>, _ configuration: Configuration)
        -> (line: ArraySlice<UInt8>, truncated: Bool, wrapperTime: String?) {
        var line = raw
        var truncated = false
        if line.count > configuration.maxLineBytes {
            line = line.prefix(configuration.maxLineBytes)
            truncated = true
        }
        if let last = line.last, last == 0x0D { line = line.dropLast() }
        line = LineCleaner.stripANSI(line)
        let (cleaned, wrapperTime) = LineCleaner.stripWrappers(line)
        return (cleaned, truncated, wrapperTime)
    }

    /// Whether `push` of this line always ends the record being built and starts afresh,
    /// whatever came before: a JSON log line, or a header that is not a traceback. From such a
    /// line on, a new `Framer` frames exactly what one that saw everything before would
    /// (`SparseFramer` relies on it to frame only the stretches around a hit).
    public static func opensRecord(_ raw: ArraySlice<UInt8>, configuration: Configuration = Configuration()) -> Bool {
        let line = clean(raw, configuration).line
        if line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}") {
            // `skim` accepts what parseObject accepts and sees the same keys, without building a
            // dictionary (scan asks this of every line around a hit). A `log` key (Docker's
            // shape, whose inner line decides) still takes the full parse below.
            let flags = line.withUnsafeBufferPointer { p in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: p.count) { out -> UInt32? in
                    var flags: UInt32 = 0
                    return lw_skim(p.baseAddress, p.count, out.baseAddress, &flags) < 0 ? nil : flags
                }
            }
            if let flags, flags & UInt32(LW_SKIM_LOG_KEY) == 0 {
                if flags & UInt32(LW_SKIM_MESSAGE_KEY) != 0 { return true }
                return LineHeader.parse(line).map { $0.kind != .traceback } ?? false
            }
        }
        if line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}"), let object = JSONLine.parseObject(line) {
            switch JSONShape(object) {
            case .record: return true
            case .docker(let inner): return opensRecord(inner[...], configuration: configuration)
            case .text: break
            }
        }
        if let header = LineHeader.parse(line), header.kind != .traceback { return true }
        return false
    }

    /// What a parsed JSON object is to the framer.
    enum JSONShape {
        /// Not a log object: the line is framed as text.
        case text
        /// Docker json-file: the container's line, without its newline.
        case docker([UInt8])
        /// A log record whose message is under this key.
        case record(messageKey: String)

        init(_ object: [String: String]) {
            if let log = object["log"], object["message"] == nil {
                var inner = Array(log.utf8)
                while inner.last == 0x0A || inner.last == 0x0D { inner.removeLast() }
                self = .docker(inner)
            } else if let key = Framer.messageKeys.first(where: { object[$0] != nil }) {
                self = .record(messageKey: key)
            } else {
                self = .text
            }
        }
    }

    /// Frames a whole text held in memory (`explain --line`, tests): lines are split on `\n`
    /// and numbered from 1, and the last record is flushed.
    public static func records(in bytes: [UInt8], source: String, configuration: Configuration = Configuration()) -> [LogRecord] {
        var framer = Framer(source: source, configuration: configuration)
        var out: [LogRecord] = []
        for (i, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            framer.push(line: line, number: i + 1, into: &out)
        }
        framer.flush(into: &out)
        return out
    }

    public static func records(in text: String, source: String, configuration: Configuration = Configuration()) -> [LogRecord] {
        records(in: Array(text.utf8), source: source, configuration: configuration)
    }

    /// Ends the record being built (end of input, or the idle timeout while following).
    public mutating func flush(into out: inout [LogRecord]) {
        finish(into: &out)
    }

    private mutating func append(_ line: ArraySlice<UInt8>, number: Int, position: String?, truncated: Bool) {
        current!.text.append(0x0A)
        current!.text.append(contentsOf: line)
        current!.endLine = number
        if truncated { current!.truncated = true }
        if let position { current!.position = position }
        currentLines += 1
    }

    private mutating func finish(into out: inout [LogRecord]) {
        guard let record = current else { return }
        current = nil
        currentLines = 0
        currentHasTraceback = false
        currentLevelErrorish = false
        afterChainMarker = false
        emit(record, into: &out)
    }

    private mutating func emit(_ record: LogRecord, into out: inout [LogRecord]) {
        var record = record
        // Trailing blank lines (common after tracebacks) carry nothing.
        while record.text.last == 0x0A || record.text.last == 0x20 { record.text.removeLast() }
        statistics.records += 1
        out.append(record)
    }

    static let chainMarkers: [[UInt8]] = ["During handling of the above exception", "The above exception was the direct cause"]
        .map { Array($0.utf8) }

    static func isChainMarker(_ line: ArraySlice<UInt8>) -> Bool {
        // Exception groups indent the marker behind `  | `; compare after leading spaces and bars.
        let trimmed = line.drop { $0 == 0x20 || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "+") }
        return chainMarkers.contains { trimmed.starts(with: $0) }
    }

    static let errorWords: [[UInt8]] = ["Error", "Exception", "error", "Traceback", "Failed", "failed"].map { Array($0.utf8) }

    /// Cheap test used only to decide whether a following traceback belongs to this record.
    /// One pass over the line; a word is compared only where its first letter is.
    static func looksErrorish(_ line: ArraySlice<UInt8>) -> Bool {
        line.withUnsafeBufferPointer { p in
            let n = p.count
            var i = 0
            while i < n {
                let c = p[i]
                if c == UInt8(ascii: "E") || c == UInt8(ascii: "e") || c == UInt8(ascii: "T") || c == UInt8(ascii: "F")
                    || c == UInt8(ascii: "f") {
                    for word in errorWords where word[0] == c && i + word.count <= n {
                        var k = 1
                        while k < word.count, p[i + k] == word[k] { k += 1 }
                        if k == word.count { return true }
                    }
                }
                i += 1
            }
            return false
        }
    }

    static let messageKeys = ["message", "msg", "MESSAGE"]
    /// Keys the framer reads itself; the rest become attributes.
    static let knownKeys: Set<String> = ["stacktrace", "exc_info", "level", "levelname", "severity", "timestamp",
                                         "time", "asctime", "component", "logger", "name", "PRIORITY"]

    enum Decoded {
        /// Not a JSON log object: frame the line as text.
        case text
        /// A wrapper (Docker json-file) whose inner line was pushed through the framer.
        case unwrapped
        case record(LogRecord)
    }

    /// Decodes a JSON log line (LiteLLM `JsonFormatter`, Docker json-file, journal JSON).
    private mutating func decodeJSON(_ line: ArraySlice<UInt8>, number: Int, position: String?, wrapperTime: String?,
                                     into out: inout [LogRecord]) -> Decoded {
        guard line.last == UInt8(ascii: "}"), let object = JSONLine.parseObject(line) else { return .text }
        let messageKey: String
        switch JSONShape(object) {
        case .text: return .text
        case .docker(let inner):
            // Docker json-file: the `log` value is the container's raw line, newline included;
            // it may itself be a JSON log line or one line of a traceback.
            statistics.lines -= 1
            push(line: inner[...], number: number, position: position, into: &out)
            return .unwrapped
        case .record(let key): messageKey = key
        }
        guard let message = object[messageKey] else { return .text }
        var text = Array(message.utf8)
        if let stack = object["stacktrace"] ?? object["exc_info"], !stack.isEmpty, stack != "NoneType: None" {
            text.append(0x0A)
            text += Array(stack.utf8)
        }
        text = Array(LineCleaner.stripANSI(text[...]))
        var level = object["level"] ?? object["levelname"] ?? object["severity"]
        if let priority = object["PRIORITY"], let value = Int(priority) {
            level = value <= 2 ? "CRITICAL" : value == 3 ? "ERROR" : value == 4 ? "WARNING" : value <= 6 ? "INFO" : "DEBUG"
        }
        var attributes: [String: String] = [:]
        for (key, value) in object where key != messageKey && !Self.knownKeys.contains(key) && !key.hasPrefix("__") {
            attributes[key] = value
        }
        return .record(LogRecord(text: text, source: source, line: number, level: level?.uppercased(),
                                 timestamp: object["timestamp"] ?? object["time"] ?? object["asctime"] ?? wrapperTime,
                                 logger: object["component"] ?? object["name"] ?? object["logger"],
                                 attributes: attributes, position: position))
    }
}
