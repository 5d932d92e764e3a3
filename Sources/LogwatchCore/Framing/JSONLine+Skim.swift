import CLineScan

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
    /// a dictionary); nil, with `out` unchanged, when `parseObject` would return nil. The loop is
    /// C (`lw_skim`, CLineScan/json_skim.h): it runs on every JSON log line with an escape.
    public static func skim(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) -> Skim? {
        let n = line.count, mark = out.count
        guard n > 0 else { return nil } // parseObject wants an object
        // Decoding only shortens (an escape's two bytes become one; `\u` escapes stay as written).
        out.append(contentsOf: repeatElement(0, count: n))
        var flags: UInt32 = 0
        let written = line.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                lw_skim(input.baseAddress, n, output.baseAddress! + mark, &flags)
            }
        }
        guard written >= 0 else {
            out.removeLast(n)
            return nil
        }
        out.removeLast(n - written)
        return Skim(hasMessageKey: flags & UInt32(LW_SKIM_MESSAGE_KEY) != 0,
                    hasLogKey: flags & UInt32(LW_SKIM_LOG_KEY) != 0,
                    hasStackKey: flags & UInt32(LW_SKIM_STACK_KEY) != 0,
                    hasUnicodeEscape: flags & UInt32(LW_SKIM_UNICODE_ESCAPE) != 0)
    }
}
