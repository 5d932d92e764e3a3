import LogwatchCore

/// Facts a source knows about an entry that the text does not carry (journal fields, the
/// container stream). The pipeline applies them to the record that begins with the entry's
/// first line.
public struct EntryMetadata: Sendable, Equatable {
    /// `ERROR`, `WARNING`, ... (from a journal PRIORITY); used only when the text has no level.
    public var level: String?
    /// The producer's time as RFC 3339 text; used only when the text has no timestamp.
    public var timestamp: String?
    /// Extra fields: `unit`, `pid`, `stream`, `container`, ...
    public var attributes: [String: String]
    /// Set when the entry is systemd starting, stopping or restarting the watched unit.
    public var unitEvent: UnitEvent?
    /// The source keeps its writers' entries apart (journald): the entry is a record of its own
    /// unless it is a piece of a traceback. False for line streams (files, containers), where
    /// a line without a header continues the record before it.
    public var separateEntry: Bool

    public init(level: String? = nil, timestamp: String? = nil, attributes: [String: String] = [:],
                unitEvent: UnitEvent? = nil, separateEntry: Bool = false) {
        self.level = level
        self.timestamp = timestamp
        self.attributes = attributes
        self.unitEvent = unitEvent
        self.separateEntry = separateEntry
    }
}

/// Something the operator should hear about a source: a rotation, a possible gap, a
/// restored position that no longer exists.
public struct SourceEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case rotated, truncated, gap, waiting, opened, resumed, fallback, error }
    public var kind: Kind
    public var source: String
    public var message: String

    public init(_ kind: Kind, source: String, _ message: String) {
        self.kind = kind
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}

/// What one `read` call found.
public enum ReadStatus: Sendable, Equatable {
    /// Lines (maybe none) were delivered; more may come later.
    case more
    /// The source ended for good (standard input at end of file).
    case finished
}

/// A source of physical log lines with resumable positions.
///
/// Contract: `read` never blocks for long (at most a few milliseconds); it hands over each
/// complete line (without its newline) in order with a `token` that, given to `checkpoint`,
/// names the position just after that line. Tokens increase. A line split across reads is
/// held back until its newline arrives. A source that restarts from a checkpoint delivers the
/// line after it first, so nothing checkpointed is read twice and nothing after is skipped.
public protocol LogSource: AnyObject {
    /// Stable checkpoint key, e.g. `file:/var/log/litellm.log`, `journal:litellm.service`.
    var key: String { get }
    /// The record's `source` as shown to people (a path, `journal`, `stdin`).
    var label: String { get }
    /// Restores a position that `checkpoint` produced earlier; called before the first read.
    /// Events tell whether the position could be used.
    func restore(_ checkpoint: String)
    /// Delivers up to about `maxLines` available lines: `line(bytes, token, metadata)`.
    /// `metadata` is set on the first line of an entry that has any.
    func read(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> ReadStatus
    /// The position just after the line that carried `token`, as text to persist.
    func checkpoint(after token: Int64) -> String?
    /// Events since the last call.
    func takeEvents() -> [SourceEvent]
    /// A descriptor that becomes readable when new data may be there (inotify, journal), or nil.
    var waitDescriptor: Int32? { get }
}
