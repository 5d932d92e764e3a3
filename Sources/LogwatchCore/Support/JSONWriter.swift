// Support/: small pure helpers every room uses (JSONWriter, RFC3339, URLParts, FileProblem).
// May use: Yams (FileProblem's YAML errors), nothing else of the project.
// The map of all rooms: docs/architecture.md.

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
        /// JSON text written as it is: a value rendered once and reused (compact output only).
        case raw(String)

        public static func == (a: Value, b: Value) -> Bool { JSONWriter.write(a) == JSONWriter.write(b) }
    }

    public static func write(_ value: Value, indent: Int? = nil) -> String {
        String(decoding: bytes(value, indent: indent), as: UTF8.self)
    }

    /// The JSON text as UTF-8 bytes (what `write` returns as a String), for output that goes
    /// straight to a file descriptor: `scan --json` writes a hundred megabytes of this.
    public static func bytes(_ value: Value, indent: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out, indent: indent, level: 0)
        return out
    }

    static func write(_ value: Value, into out: inout [UInt8], indent: Int?, level: Int) {
        switch value {
        case .string(let s): escape(s, into: &out)
        case .int(let i): out += String(i).utf8
        case .double(let d): out += (d.isFinite ? String(d) : "null").utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .null: out += "null".utf8
        case .raw(let text): out += text.utf8
        case .array(let items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, item)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent, level + 1)
                escape(key, into: &out)
                out += (indent == nil ? ":" : ": ").utf8
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append(UInt8(ascii: "}"))
        }
    }

    static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(0x0A)
        out += repeatElement(UInt8(ascii: " "), count: indent * level)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes byte by byte: a valid UTF-8 string only needs its ASCII control characters,
    /// quote and backslash escaped, and multi-byte sequences pass through unchanged. Working on
    /// bytes instead of Unicode scalars keeps `--json` output fast on long texts.
    static func escape(_ s: String, into bytes: inout [UInt8]) {
        var string = s
        string.withUTF8 { escape(bytes: $0, into: &bytes) }
    }

    /// `escape` of text that is valid UTF-8 already (the caller makes sure).
    static func escape(bytes p: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + p.count + 16)
        bytes.append(UInt8(ascii: "\""))
        do { // (the body of the String version, unchanged)
            // Runs of bytes that need no escape are copied at once.
            var run = 0
            for i in 0..<p.count {
                let c = p[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c == 0x7F else { continue }
                if i > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[run..<i])) }
                run = i + 1
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(c)
                case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                default:
                    bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                              hexDigits[Int(c >> 4)], hexDigits[Int(c & 0x0F)]]
                }
            }
            if p.count > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[run..<p.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONWriter.Value {
    /// A sorted object of string fields.
    public static func fields(_ fields: [String: String]) -> Self {
        .object(fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
