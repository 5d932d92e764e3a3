import CLineScan
/// A minimal JSON object reader for log lines: top-level keys with string, number, bool or
/// null values; nested objects and arrays are kept as their raw JSON text.
///
/// Written for speed and robustness on untrusted input: it never traps, and anything that is
/// not a well-formed single object yields nil.
public enum JSONLine {
    public static func parseObject(_ bytes: ArraySlice<UInt8>) -> [String: String]? {
        var parser = Parser(bytes: bytes)
        return parser.object()
    }

    public static func parseObject(_ text: String) -> [String: String]? {
        parseObject(ArraySlice(text.utf8))
    }

    struct Parser {
        let bytes: ArraySlice<UInt8>
        var i: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.i = bytes.startIndex
        }

        mutating func skipSpace() {
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func object() -> [String: String]? {
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            var result: [String: String] = [:]
            skipSpace()
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return trailingOK() ? result : nil
            }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                guard let value = value() else { return nil }
                result[key] = value
                skipSpace()
                guard i < bytes.endIndex else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                return nil
            }
            return trailingOK() ? result : nil
        }

        mutating func trailingOK() -> Bool {
            skipSpace()
            return i == bytes.endIndex
        }

        mutating func value() -> String? {
            guard i < bytes.endIndex else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let start = i
                guard skipNested() else { return nil }
                return String(decoding: bytes[start..<i], as: UTF8.self)
            default:
                let start = i
                while i < bytes.endIndex, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
                let token = String(decoding: bytes[start..<i], as: UTF8.self)
                if token == "null" { return "" }
                if token == "true" || token == "false" { return token }
                if let first = token.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) { return token }
                return nil
            }
        }

        /// Skips a nested object or array, honouring strings: the same walk `skim` takes
        /// (validation only, no value is built).
        mutating func skipNested() -> Bool {
            let start = bytes.startIndex
            return bytes.withUnsafeBufferPointer { p in
                // Validation only: nothing is written to `out`.
                var skimmer = lw_skimmer(b: p.baseAddress, n: p.count, i: i - start, copied: 0, o: 0, out: nil, flags: 0)
                guard lw_skim_nested(&skimmer) != 0 else { return false }
                i = start + skimmer.i
                return true
            }
        }

        mutating func string() -> String? {
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            // Most strings have no escapes: take them straight from the input.
            var j = i
            while j < bytes.endIndex, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
            if j < bytes.endIndex, bytes[j] == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[i..<j], as: UTF8.self)
                i = j + 1
                return text
            }
            var out: [UInt8] = []
            while i < bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.endIndex else { return nil }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        // A high surrogate followed by a low one makes one scalar.
                        if scalar >= 0xD800, scalar < 0xDC00, i + 1 < bytes.endIndex,
                           bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            let save = i
                            i += 2
                            if let low = hex4(), low >= 0xDC00, low < 0xE000 {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                i = save
                            }
                        }
                        let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                        out += Array(String(Character(value)).utf8)
                    default: out.append(e)
                    }
                    continue
                }
                out.append(c)
                i += 1
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.endIndex else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let digit: UInt32
                switch c {
                case 0x30...0x39: digit = UInt32(c - 0x30)
                case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
                default: return nil
                }
                value = value << 4 | digit
                i += 1
            }
            return value
        }
    }
}
