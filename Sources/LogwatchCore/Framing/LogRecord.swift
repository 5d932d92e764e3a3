/// One framed log record: wrappers stripped, multi-line messages and tracebacks joined.
public struct LogRecord: Sendable, Equatable {
    /// The record's text, lines joined with `\n`. Bytes, not `String`: input may be invalid UTF-8.
    public var text: [UInt8]
    /// Where the record came from (a file path, `journal`, `stdin`, `<line>`).
    public var source: String
    /// The first line number of the record in its source (1-based).
    public var line: Int
    /// The last line number of the record in its source.
    public var endLine: Int
    /// Log level when a header or JSON field gave one (`ERROR`, `INFO`, ...).
    public var level: String?
    /// Timestamp text as written by the producer (`14:37:51`, an ISO 8601 string, ...).
    public var timestamp: String?
    /// Logger or component name when known (`LiteLLM Proxy`, `uvicorn.access`).
    public var logger: String?
    /// Extra keys of a JSON log line, and source metadata (journal fields).
    public var attributes: [String: String]
    /// Set when a line or the record was cut at the size limit.
    public var truncated: Bool
    /// The source's resume position after this record (byte offset or cursor), set by sources.
    public var position: String?
    /// Whether a follower already saw an earlier form of this record (`Framer.pending`).
    public var revision: Revision = .first

    /// A record is framed once; a follower may be handed it early, while it is still open.
    public enum Revision: Sendable, Equatable {
        /// The only form: nobody saw this record before.
        case first
        /// Handed out early by `Framer.pending`; a final form follows.
        case provisional
        /// The final form of a record handed out early, with the same lines.
        case unchanged
        /// The final form of a record handed out early, with lines that joined it since.
        case grown
    }

    public init(text: [UInt8], source: String, line: Int, endLine: Int? = nil, level: String? = nil,
                timestamp: String? = nil, logger: String? = nil, attributes: [String: String] = [:],
                truncated: Bool = false, position: String? = nil) {
        self.text = text
        self.source = source
        self.line = line
        self.endLine = endLine ?? line
        self.level = level
        self.timestamp = timestamp
        self.logger = logger
        self.attributes = attributes
        self.truncated = truncated
        self.position = position
    }

    /// The text as a `String`, invalid UTF-8 repaired.
    public var string: String { String(decoding: text, as: UTF8.self) }

    /// Whether the level says error or worse (the framer upper-cases levels).
    public var isErrorLevel: Bool {
        guard let level else { return false }
        return level == "ERROR" || level == "CRITICAL" || level == "FATAL"
    }
}
