/// Writes JSON without Foundation: keys in the order given, strings escaped per RFC 8259.
public struct JSONWriter: Sendable {
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null
        case array([Value])
        case object([(String, Value)])

        public static func == (a: Value, b: Value) -> Bool { JSONWriter.write(a) == JSONWriter.write(b) }
    }

    public static func write(_ value: Value, indent: Int? = nil) -> String {
        var out = ""
        write(value, into: &out, indent: indent, level: 0)
        return out
    }

    static func write(_ value: Value, into out: inout String, indent: Int?, level: Int) {
        switch value {
        case .string(let s): escape(s, into: &out)
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent, level + 1)
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, item)) in pairs.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent, level + 1)
                escape(key, into: &out)
                out += indent == nil ? ":" : ": "
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "}"
        }
    }

    static func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes byte by byte: a valid UTF-8 string only needs its ASCII control characters,
    /// quote and backslash escaped, and multi-byte sequences pass through unchanged. Working on
    /// bytes instead of Unicode scalars keeps `--json` output fast on long texts.
    static func escape(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 16)
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
            case UInt8(ascii: "\\"): bytes.append(c); bytes.append(c)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                          hexDigits[Int(c >> 4)], hexDigits[Int(c & 0x0F)]]
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        out += String(decoding: bytes, as: UTF8.self)
    }
}

extension JSONWriter.Value {
    /// A sorted object of string fields.
    public static func fields(_ fields: [String: String]) -> Self {
        .object(fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
