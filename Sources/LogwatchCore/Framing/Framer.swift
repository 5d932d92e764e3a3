import CLineScan
/// Turns physical lines into records: strips colour and wrappers, decodes JSON log lines,
/// and joins Python tracebacks and multi-line messages into the record they belong to.
///
/// A record ends where the structure says so, never by timing: when the next record starts
/// (a header, a JSON log line, a bare exception line after a complete record, a journal entry
/// that is not a piece of a traceback) or at `flush()` (end of input). A follower that wants
/// an open record early asks `pending` for it and gets the finished record later, whole
/// (`LogRecord.revision`). Pure and single-threaded: one `Framer` per source.
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
    /// Where the record's traceback is: none, its frames (waiting for the exception line that
    /// ends it), or finished.
    private var traceback = TracebackState.none
    /// The record is a uvicorn/gunicorn access line: nothing continues one.
    private var currentIsAccessLine = false
    /// The record's last non-blank line ends with `:` or `-`: it announces what follows, so an
    /// exception line there is its continuation, not a record of its own.
    private var lastLineAnnounces = false
    /// The record was handed out by `pending` with this many lines; its final form is emitted
    /// as a revision.
    private var pendingHandedOutLines = 0

    enum TracebackState { case none, frames, finished }

    public init(source: String, configuration: Configuration = Configuration()) {
        self.source = source
        self.configuration = configuration
    }

    public var hasPendingRecord: Bool { current != nil }

    /// A record is open with lines that `pending` has not handed out yet.
    public var hasUnseenPendingLines: Bool { current != nil && currentLines > pendingHandedOutLines }

    /// How many lines the record being built has so far (0 when none).
    public var pendingLineCount: Int { current == nil ? 0 : currentLines }

    /// Feeds one physical line (without its newline) and appends finished records to `out`.
    ///
    /// `entry` is true when the line is the first of an entry that its source delivered as
    /// one unit (a journald entry): such an entry is a record of its own unless it is a piece
    /// of a traceback or of one of LiteLLM's multi-line messages.
    public mutating func push(line raw: ArraySlice<UInt8>, number: Int, position: String? = nil, entry: Bool = false,
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
        if let header, header.kind == .traceback, current != nil, !currentIsAccessLine,
           (!currentHasTraceback && (currentLevelErrorish || Self.looksErrorish(current!.text[...]))) || afterChainMarker,
           currentLines < configuration.maxRecordLines {
            // An `.exception()` log line is followed by its traceback: same record.
            append(line, number: number, position: position, truncated: truncated)
            currentHasTraceback = true
            traceback = .frames
            afterChainMarker = false
            lastLineAnnounces = false
            return
        }
        if header == nil, current != nil, currentLines < configuration.maxRecordLines,
           current!.text.count + line.count < configuration.maxRecordBytes, continues(with: line, entry: entry) {
            append(line, number: number, position: position, truncated: truncated)
            if !Self.isBlank(line) {
                afterChainMarker = Self.isChainMarker(line)
                lastLineAnnounces = Self.announces(line)
            }
            return
        }
        finish(into: &out)
        var record = LogRecord(text: Array(line), source: source, line: number, level: header?.level,
                               timestamp: header?.timestamp ?? wrapperTime, logger: header?.logger,
                               truncated: truncated, position: position)
        if header?.kind == .traceback { currentHasTraceback = true } else { currentHasTraceback = false }
        traceback = header?.kind == .traceback ? .frames : .none
        if record.level == "WARN" { record.level = "WARNING" }
        current = record
        currentLines = 1
        currentLevelErrorish = record.isErrorLevel || record.level == "WARNING"
        currentIsAccessLine = header != nil && Self.isAccessLine(line)
        lastLineAnnounces = Self.announces(line)
    }

    /// Whether a line without a header continues the record being built. The structure
    /// decides: a traceback's frames and its closing exception line, the lines of a multi-line
    /// message, and nothing after an access line; a bare exception line after a complete record
    /// (an access line, a finished traceback, another error) is a record of its own.
    private mutating func continues(with line: ArraySlice<UInt8>, entry: Bool) -> Bool {
        if currentIsAccessLine { return false }
        let blank = Self.isBlank(line)
        if Self.isExceptionLine(line) {
            if traceback == .frames {
                traceback = .finished
                return true
            }
            return lastLineAnnounces && !entry
        }
        // A frame line opens the traceback when its header line came in another shape
        // (`ERROR:    Traceback (most recent call last):` from uvicorn, Docker's wrapper).
        if traceback == .none, line.starts(with: Self.frameLine) { traceback = .frames }
        guard entry else { return true }
        // A journal entry stands alone unless it is a piece of a traceback or of a multi-line
        // message: indented frame and source lines, Python's chain markers, blank separators
        // inside a traceback, and the continuation lines LiteLLM composes into its messages.
        if traceback != .none && (blank || Self.isIndented(line)) { return true }
        if Self.isChainMarker(line) || line.starts(with: Self.noneTypeLine) { return true }
        if Self.isIndented(line) && (currentHasTraceback || currentLevelErrorish) { return true }
        return Self.continuationPrefixes.contains { line.starts(with: $0) } || Self.contains(line, Self.truncationMarker)
    }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    static func isIndented(_ line: ArraySlice<UInt8>) -> Bool {
        line.first == 0x20 || line.first == 0x09
    }

    /// The line ends with `:` or ` -` (trailing spaces aside): it introduces what follows.
    static func announces(_ line: ArraySlice<UInt8>) -> Bool {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        guard end > line.startIndex else { return false }
        return line[end - 1] == UInt8(ascii: ":") || line[end - 1] == UInt8(ascii: "-")
    }

    /// Lines LiteLLM composes into one message after its first line (router suffix, proxy auth
    /// failure details, debug info); in journald each arrives as an entry of its own.
    static let continuationPrefixes: [[UInt8]] = [
        "Received Model Group=", "Available Model Group Fallbacks=", "Requester IP Address:", "Key Identity:",
        "LiteLLM Retried:", "Model: ", "API Base: ", "Messages: ", "model_group=", "Model Group Alias",
    ].map { Array($0.utf8) }
    /// LiteLLM's head-and-tail truncation of long messages leaves this marker in the middle.
    static let truncationMarker = Array("litellm_truncated".utf8)
    static let noneTypeLine = Array("NoneType: None".utf8)
    static let frameLine = Array("  File \"".utf8)

    static func contains(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard line.count >= needle.count, let first = needle.first else { return false }
        var i = line.startIndex
        while i <= line.endIndex - needle.count {
            if line[i] == first, line[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// A uvicorn or gunicorn access line: `… "POST /chat/completions HTTP/1.1" 401 …`.
    static func isAccessLine(_ line: ArraySlice<UInt8>) -> Bool {
        // The request line's closing quote, a space and a three-digit status.
        var i = line.startIndex
        let end = line.endIndex
        while i + 10 < end {
            if line[i] == UInt8(ascii: "H"), line[i + 1] == UInt8(ascii: "T"), line[i + 2] == UInt8(ascii: "T"),
               line[i + 3] == UInt8(ascii: "P"), line[i + 4] == UInt8(ascii: "/") {
                var j = i + 5
                while j < end, j < i + 9, line[j] != UInt8(ascii: "\""), line[j] != 0x20 { j += 1 }
                if j + 4 < end, line[j] == UInt8(ascii: "\""), line[j + 1] == 0x20,
                   LineCleaner.isDigit(line[j + 2]), LineCleaner.isDigit(line[j + 3]), LineCleaner.isDigit(line[j + 4]) {
                    return true
                }
            }
            i += 1
        }
        return false
    }

    /// Exception class names end in one of these (Python's and the libraries' conventions).
    static let exceptionSuffixes: [[UInt8]] = ["Error", "Exception", "Exceeded", "Exit", "Interrupt", "Warning",
                                               "Timeout", "Failure", "Denied", "Refused"].map { Array($0.utf8) }

    /// A line that is an exception as Python prints it: a (dotted) class name at the start of
    /// the line, then `: message` or nothing, e.g. `litellm.exceptions.AuthenticationError: …`,
    /// `KeyError: 'x'`, `httpx.ConnectTimeout`. This is how a traceback ends, and how LiteLLM's
    /// bare exception prints look.
    static func isExceptionLine(_ line: ArraySlice<UInt8>) -> Bool {
        var i = line.startIndex
        let end = line.endIndex
        guard i < end, isIdentifierHead(line[i]) else { return false }
        var nameStart = i
        while i < end {
            let c = line[i]
            if c == UInt8(ascii: ".") {
                guard i + 1 < end, isIdentifierHead(line[i + 1]) else { return false }
                nameStart = i + 1
            } else if !isIdentifierHead(c) && !LineCleaner.isDigit(c) {
                break
            }
            i += 1
        }
        if i < end {
            // `Name: message` (the colon right after the name, then a space or the end).
            guard line[i] == UInt8(ascii: ":"), i + 1 == end || line[i + 1] == 0x20 else { return false }
        }
        let name = line[nameStart..<i]
        guard name.count > 1, let head = name.first, head >= 0x41, head <= 0x5A else { return false }
        // `Error: …` and `Warning: …` alone are how command-line tools (click) word a message,
        // not an exception class.
        if nameStart == line.startIndex, name.elementsEqual(Self.bareError) || name.elementsEqual(Self.bareWarning) {
            return false
        }
        return exceptionSuffixes.contains { name.count >= $0.count && name.suffix($0.count).elementsEqual($0) }
    }

    static let bareError = Array("Error".utf8)
    static let bareWarning = Array("Warning".utf8)

    private static func isIdentifierHead(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
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

    /// Ends the record being built: the end of the input, or a source that says its entry is
    /// over (another writer, a unit event). Never called because time passed.
    public mutating func flush(into out: inout [LogRecord]) {
        finish(into: &out)
    }

    /// The record being built, as it stands, for a follower that has waited long enough for
    /// more lines (`--idle-ms`). The record stays open: if lines join it later, `push` emits
    /// its whole final form with `revision == .grown`, otherwise `.unchanged`. Nil when there
    /// is nothing new since the last call.
    public mutating func pending() -> LogRecord? {
        guard var record = current, hasUnseenPendingLines else { return nil }
        pendingHandedOutLines = currentLines
        while record.text.last == 0x0A || record.text.last == 0x20 { record.text.removeLast() }
        record.revision = .provisional
        return record
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
        let currentLinesAtFinish = currentLines
        current = nil
        currentLines = 0
        currentHasTraceback = false
        currentLevelErrorish = false
        afterChainMarker = false
        traceback = .none
        currentIsAccessLine = false
        lastLineAnnounces = false
        var finished = record
        if pendingHandedOutLines > 0 {
            finished.revision = pendingHandedOutLines == currentLinesAtFinish ? .unchanged : .grown
        }
        pendingHandedOutLines = 0
        emit(finished, into: &out)
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
