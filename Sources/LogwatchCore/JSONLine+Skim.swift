extension JSONLine {
    /// What `skim` learnt about a line `parseObject` accepts.
    public struct Skim: Sendable, Equatable {
        /// A `message`, `msg` or `MESSAGE` key: the framer makes the line a record.
        public var hasMessageKey = false
        /// A `log` key (Docker json-file).
        public var hasLogKey = false
        /// A `stacktrace` or `exc_info` key: the record's text is more than one value.
        public var hasStackKey = false
        /// A `\u` escape somewhere (left undecoded in the output).
        public var hasUnicodeEscape = false
    }

    /// Appends the line to `out` with the escapes of its top-level keys and string values
    /// decoded and everything else as written, so every value `parseObject` returns (a decoded
    /// string, a nested object's raw text, a number) appears verbatim in what was appended.
    ///
    /// Accepts exactly what `parseObject` accepts (same grammar, step for step, without building
    /// a dictionary); nil, with `out` unchanged, when `parseObject` would return nil.
    public static func skim(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) -> Skim? {
        let mark = out.count
        // Raw pointers, not slice subscripts: this runs on every JSON line with an escape.
        return line.withUnsafeBufferPointer { bytes in
            var skimmer = Skimmer(bytes: bytes, out: out)
            out = []
            let result = skimmer.object()
            out = skimmer.out
            if result == nil { out.removeSubrange(mark...) }
            return result
        }
    }

    struct Skimmer {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        var out: [UInt8]
        /// Input before this index not yet copied to `out`.
        var copied = 0
        var skim = Skim()

        init(bytes: UnsafeBufferPointer<UInt8>, out: [UInt8]) {
            self.bytes = bytes
            self.out = out
        }

        mutating func skipSpace() {
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func object() -> Skim? {
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            skipSpace()
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return finish()
            }
            while true {
                skipSpace()
                let keyStart = out.count + (i - copied) + 1
                guard string(decode: true) else { return nil }
                note(key: out[keyStart...])
                skipSpace()
                guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                guard value() else { return nil }
                skipSpace()
                guard i < bytes.endIndex else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                return nil
            }
            return finish()
        }

        /// `parseObject`'s trailing check, then the rest of the line as written.
        mutating func finish() -> Skim? {
            skipSpace()
            guard i == bytes.endIndex else { return nil }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
            copied = i
            return skim
        }

        /// `name` is the decoded key (its closing quote is copied later).
        mutating func note(key name: ArraySlice<UInt8>) {
            if name.elementsEqual(Self.message) || name.elementsEqual(Self.msg) || name.elementsEqual(Self.upperMessage) {
                skim.hasMessageKey = true
            } else if name.elementsEqual(Self.log) {
                skim.hasLogKey = true
            } else if name.elementsEqual(Self.stacktrace) || name.elementsEqual(Self.excInfo) {
                skim.hasStackKey = true
            }
        }

        static let message = Array("message".utf8), msg = Array("msg".utf8), upperMessage = Array("MESSAGE".utf8)
        static let log = Array("log".utf8), stacktrace = Array("stacktrace".utf8), excInfo = Array("exc_info".utf8)

        mutating func value() -> Bool {
            guard i < bytes.endIndex else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string(decode: true)
            case UInt8(ascii: "{"), UInt8(ascii: "["): return skipNested()
            default:
                let start = i
                while i < bytes.endIndex, !Self.tokenEnd(bytes[i]) { i += 1 }
                let token = bytes[start..<i]
                if token.elementsEqual(Self.null) || token.elementsEqual(Self.trueToken) || token.elementsEqual(Self.falseToken) {
                    return true
                }
                guard let first = token.first else { return false }
                return first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39)
            }
        }

        static let null = Array("null".utf8), trueToken = Array("true".utf8), falseToken = Array("false".utf8)

        static func tokenEnd(_ c: UInt8) -> Bool {
            c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        }

        /// A nested object or array: validated like `parseObject` does, copied as written.
        mutating func skipNested() -> Bool {
            var depth = 0
            while i < bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    guard string(decode: false) else { return false }
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                }
                i += 1
            }
            return false
        }

        /// A string at `i`. Decoded into `out` (keys and top-level values) or only validated.
        mutating func string(decode: Bool) -> Bool {
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { return false }
            i += 1
            if decode {
                // Everything up to and including the opening quote, as written.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                copied = i
            }
            while i < bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    if decode {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                        copied = i
                    }
                    i += 1
                    return true
                }
                if c != UInt8(ascii: "\\") { i += 1; continue }
                if decode { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i])) }
                i += 1
                guard i < bytes.endIndex else { return false }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): if decode { out.append(0x0A) }
                case UInt8(ascii: "t"): if decode { out.append(0x09) }
                case UInt8(ascii: "r"): if decode { out.append(0x0D) }
                case UInt8(ascii: "b"): if decode { out.append(0x08) }
                case UInt8(ascii: "f"): if decode { out.append(0x0C) }
                case UInt8(ascii: "u"):
                    // parseObject needs four hex digits here (a pair's second half is optional).
                    guard hex4() else { return false }
                    skim.hasUnicodeEscape = true
                    if decode { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(i - 6)..<i])) }
                default: if decode { out.append(e) }
                }
                if decode { copied = i }
            }
            return false
        }

        mutating func hex4() -> Bool {
            guard i + 4 <= bytes.endIndex else { return false }
            for _ in 0..<4 {
                let c = bytes[i]
                guard (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) else { return false }
                i += 1
            }
            return true
        }
    }
}
