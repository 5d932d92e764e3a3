/// What the start of a cleaned line says about record boundaries.
public struct LineHeader: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `14:37:51 - LiteLLM Proxy:ERROR: file.py:12 - message`
        case litellm
        /// uvicorn / Python logging `ERROR:    message` or `INFO:httpx:message`
        case levelPrefix
        /// A line led by a date and time, e.g. `2025-05-07 17:42:34 - WARNING - message`
        case dated
        /// `Traceback (most recent call last):`
        case traceback
    }

    public var kind: Kind
    public var level: String?
    public var timestamp: String?
    public var logger: String?

    static let levels: [[UInt8]] = ["DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"].map { Array($0.utf8) }

    static func level(at i: Int, in line: ArraySlice<UInt8>) -> (String, Int)? {
        for level in levels where i + level.count <= line.endIndex && line[i..<(i + level.count)].elementsEqual(level) {
            return (String(decoding: level, as: UTF8.self), i + level.count)
        }
        return nil
    }

    static let tracebackText = Array("Traceback (most recent call last):".utf8)

    /// Recognises a record header; nil means the line continues the current record.
    public static func parse(_ line: ArraySlice<UInt8>) -> LineHeader? {
        let s = line.startIndex
        guard s < line.endIndex else { return nil }
        let first = line[s]
        if LineCleaner.isDigit(first) {
            return parseTimed(line)
        }
        if first == UInt8(ascii: "T"), line.count >= tracebackText.count,
           line[s..<(s + tracebackText.count)].elementsEqual(tracebackText) {
            return LineHeader(kind: .traceback)
        }
        if first >= 0x41, first <= 0x5A, let (level, end) = level(at: s, in: line), end < line.endIndex,
           line[end] == UInt8(ascii: ":") {
            // `ERROR:    x` (uvicorn) or `ERROR:LiteLLM:x` (logging.basicConfig).
            var logger: String?
            let rest = end + 1
            if rest < line.endIndex, line[rest] != 0x20, let colon = line[rest...].prefix(80).firstIndex(of: UInt8(ascii: ":")) {
                logger = String(decoding: line[rest..<colon], as: UTF8.self)
            }
            return LineHeader(kind: .levelPrefix, level: level, logger: logger)
        }
        return nil
    }

    private static func parseTimed(_ line: ArraySlice<UInt8>) -> LineHeader? {
        let s = line.startIndex
        var i = s
        while i < line.endIndex, LineCleaner.isDigit(line[i]) { i += 1 }
        let digits = i - s
        if (digits == 1 || digits == 2), i < line.endIndex, line[i] == UInt8(ascii: ":") {
            // HH:MM:SS[.fff] - logger:LEVEL:
            guard i + 6 <= line.endIndex, LineCleaner.isDigit(line[i + 1]), LineCleaner.isDigit(line[i + 2]),
                  line[i + 3] == UInt8(ascii: ":"), LineCleaner.isDigit(line[i + 4]), LineCleaner.isDigit(line[i + 5])
            else { return nil }
            i += 6
            if i < line.endIndex, line[i] == UInt8(ascii: ".") || line[i] == UInt8(ascii: ",") {
                i += 1
                while i < line.endIndex, LineCleaner.isDigit(line[i]) { i += 1 }
            }
            let timestamp = String(decoding: line[s..<i], as: UTF8.self)
            guard i + 3 <= line.endIndex, line[i] == 0x20, line[i + 1] == UInt8(ascii: "-"), line[i + 2] == 0x20 else { return nil }
            i += 3
            let loggerStart = i
            // The logger name runs to the `:LEVEL:` that follows it.
            let limit = min(line.endIndex, i + 80)
            while i < limit {
                if line[i] == UInt8(ascii: ":"), let (level, end) = level(at: i + 1, in: line),
                   end < line.endIndex, line[end] == UInt8(ascii: ":") {
                    let logger = String(decoding: line[loggerStart..<i], as: UTF8.self)
                    return LineHeader(kind: .litellm, level: level, timestamp: timestamp, logger: logger)
                }
                i += 1
            }
            return nil
        }
        if digits == 4, i + 15 <= line.endIndex, line[i] == UInt8(ascii: "-"), line[i + 3] == UInt8(ascii: "-"),
           line[i + 6] == 0x20 || line[i + 6] == UInt8(ascii: "T"), line[i + 9] == UInt8(ascii: ":") {
            // A dated line; its level, if any, is one of the next few words.
            var end = i + 15
            while end < line.endIndex, line[end] != 0x20 { end += 1 }
            let timestamp = String(decoding: line[s..<end], as: UTF8.self)
            var level: String?
            var j = end
            let limit = min(line.endIndex, end + 60)
            while j < limit {
                if (line[j - 1] == 0x20 || line[j - 1] == UInt8(ascii: "[")), let (found, after) = Self.level(at: j, in: line),
                   after == line.endIndex || line[after] == 0x20 || line[after] == UInt8(ascii: "]") || line[after] == UInt8(ascii: ":") {
                    level = found
                    break
                }
                j += 1
            }
            return LineHeader(kind: .dated, level: level, timestamp: timestamp)
        }
        return nil
    }
}
