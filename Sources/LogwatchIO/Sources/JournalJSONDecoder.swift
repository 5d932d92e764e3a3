import LogwatchCore

/// Decodes `journalctl -o json` (one entry per line) into the same physical lines and
/// metadata `JournalSource` gives, so `journalctl -f -o json | logwatch --stdin --format
/// journal-json` frames tracebacks split across entries like the native source does.
///
/// MESSAGE is a string, an array of byte values (journalctl's form for non-UTF-8 data), or
/// null (journalctl leaves out values over 4096 bytes unless given `--all`). A line that is
/// not a journal JSON object is counted and gives nil; nothing here traps on bad input.
public struct JournalJSONDecoder: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The MESSAGE's physical lines (at least one for an entry that has a MESSAGE).
        public var lines: [ArraySlice<UInt8>]
        /// Applies to the first line; `attributes["cursor"]` holds `__CURSOR` when present.
        public var metadata: EntryMetadata
        public var cursor: String?
        public var realtimeUsec: UInt64?
    }

    public struct Statistics: Sendable, Equatable {
        public var entries = 0
        /// Lines that were not a JSON object with journal fields.
        public var invalidLines = 0
        /// Entries with MESSAGE null (too large for journalctl without `--all`) or missing.
        public var withoutMessage = 0
        /// Entries whose MESSAGE was cut at the size limit.
        public var cutEntries = 0
    }

    public let units: [String]
    public let maxEntryBytes: Int
    public private(set) var statistics = Statistics()

    /// `units` limits which units' systemd start/stop messages count as unit events (empty: any).
    public init(units: [String] = [], maxEntryBytes: Int = 1 << 20) {
        self.units = units
        self.maxEntryBytes = maxEntryBytes
    }

    /// One line of `journalctl -o json` output, without its newline.
    public mutating func decode(_ line: ArraySlice<UInt8>) -> Entry? {
        var body = line
        while let last = body.last, last == 0x0D || last == 0x20 { body = body.dropLast() }
        guard let object = JSONLine.parseObject(body),
              object["__REALTIME_TIMESTAMP"] != nil || object["__CURSOR"] != nil || object["MESSAGE"] != nil else {
            statistics.invalidLines += 1
            return nil
        }
        statistics.entries += 1
        guard let raw = object["MESSAGE"], var message = Self.messageBytes(raw, in: body) else {
            statistics.withoutMessage += 1
            return nil
        }
        if JournalEntryMapping.cap(&message, at: maxEntryBytes) { statistics.cutEntries += 1 }
        let realtime = object["__REALTIME_TIMESTAMP"].flatMap { UInt64($0) }
        var metadata = JournalEntryMapping.metadata(field: { Self.text(object[$0]) }, realtimeUsec: realtime,
                                                    message: message, units: units)
        let cursor = object["__CURSOR"]
        if let cursor { metadata.attributes["cursor"] = cursor }
        return Entry(lines: JournalEntryMapping.lines(of: message), metadata: metadata, cursor: cursor,
                     realtimeUsec: realtime)
    }

    /// A field's value as text: strings as they are, byte arrays decoded (repaired) as UTF-8.
    static func text(_ raw: String?) -> String? {
        guard let raw else { return nil }
        guard raw.hasPrefix("[") else { return raw }
        return bytes(ofArray: Array(raw.utf8)[...]).map { String(decoding: $0, as: UTF8.self) } ?? raw
    }

    /// MESSAGE as bytes. `JSONLine` turns null into "" and keeps arrays as raw JSON text, so
    /// null is told apart from an empty string by looking at the line itself.
    static func messageBytes(_ raw: String, in line: ArraySlice<UInt8>) -> [UInt8]? {
        if raw.isEmpty, contains(line, Array(#""MESSAGE":null"#.utf8)) { return nil }
        if raw.hasPrefix("[") { return bytes(ofArray: Array(raw.utf8)[...]) }
        return Array(raw.utf8)
    }

    /// `[104,105]` to bytes; `["a","b"]` (a field given twice) to the values joined by newlines.
    static func bytes(ofArray text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.first == UInt8(ascii: "["), text.last == UInt8(ascii: "]") else { return nil }
        let inner = text.dropFirst().dropLast()
        if inner.contains(UInt8(ascii: "\"")) || inner.contains(UInt8(ascii: "[")) {
            // The field was given several times: one value per element.
            var out: [UInt8] = []
            var parser = ArrayParser(text: inner)
            while let value = parser.next() {
                if !out.isEmpty { out.append(0x0A) }
                out += value
            }
            return out
        }
        // One pass over `d,d,d`: journalctl writes every line with control characters (ANSI
        // colour) this way, so this is a hot path for `--format journal-json`.
        var out: [UInt8] = []
        out.reserveCapacity(inner.count / 3)
        var value = 0, digits = 0
        for byte in inner {
            switch byte {
            case 0x30...0x39:
                value = value * 10 + Int(byte - 0x30)
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            case UInt8(ascii: ","):
                guard digits > 0 else { return nil }
                out.append(UInt8(value))
                value = 0
                digits = 0
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            default:
                return nil
            }
        }
        guard digits > 0 || out.isEmpty && inner.allSatisfy({ $0 == 0x20 }) else { return nil }
        if digits > 0 { out.append(UInt8(value)) }
        return out
    }

    /// Walks the elements of `"a",[1,2],"b"` (an array without its brackets), giving each
    /// element's bytes: strings decoded, byte arrays as bytes.
    struct ArrayParser {
        var text: ArraySlice<UInt8>

        mutating func next() -> [UInt8]? {
            while let c = text.first, c == UInt8(ascii: ",") || c == 0x20 || c == 0x0A || c == 0x09 { text = text.dropFirst() }
            guard let first = text.first else { return nil }
            if first == UInt8(ascii: "\"") {
                // Find the closing quote, honouring escapes, then let JSONLine decode the string.
                var i = text.index(after: text.startIndex)
                while i < text.endIndex, text[i] != UInt8(ascii: "\"") { i += text[i] == UInt8(ascii: "\\") ? 2 : 1 }
                guard i < text.endIndex else { return nil }
                let literal = text[text.startIndex...i]
                text = text[(i + 1)...]
                return JSONLine.parseObject(Array(#"{"v":"#.utf8 + literal + "}".utf8)[...])?["v"].map { Array($0.utf8) }
            }
            if first == UInt8(ascii: "[") {
                guard let end = text.firstIndex(of: UInt8(ascii: "]")) else { return nil }
                let array = text[text.startIndex...end]
                text = text[(end + 1)...]
                return JournalJSONDecoder.bytes(ofArray: array)
            }
            return nil
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

extension JournalJSONDecoder {
    /// A line decoder for `StreamSource`: each `journalctl -o json` line becomes the MESSAGE's
    /// lines, the entry's metadata on the first.
    public static func lines() -> (ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, EntryMetadata?)] {
        var decoder = JournalJSONDecoder()
        return { line in
            guard let entry = decoder.decode(line) else { return [] }
            return entry.lines.enumerated().map { ($0.element, $0.offset == 0 ? entry.metadata : nil) }
        }
    }
}
