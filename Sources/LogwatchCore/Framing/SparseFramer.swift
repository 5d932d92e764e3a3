import CLineScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames only the stretches of a log that can lead to output (`scan`): the same records a
/// `Framer` fed every line would give for those stretches, at a fraction of the cost, because
/// most lines of a healthy proxy's log are never framed at all.
///
/// How, per block of lines:
/// 1. Each line is cleaned as the framer would (cut, CR, colour, wrappers) into one buffer,
///    JSON log lines with escapes decoded in place (`JSONLine.skim`), so a record's text appears
///    in that buffer as it will after framing, or a line is marked to be framed regardless.
/// 2. One `RecordGate` scan of the buffer marks the lines that can matter.
/// 3. Around each marked line, framing starts at the last line that opens a record whatever
///    came before (`Framer.opensRecord`) and runs to the next such line. Lines after the last
///    such line in the block wait for the next block.
///
/// Exact, not heuristic: `SparseFramerTests` compares it with the full framer, record for
/// record, on the samples, the corpus and every rule example. Memory is bounded: when no line
/// opens a record for `holdLimit` bytes, it falls back to framing everything from there on.
public struct SparseFramer {
    public let source: String
    public let configuration: Framer.Configuration
    /// `lines` and `truncatedLines` count every line; `records` only the records framed.
    public private(set) var statistics = Framer.Statistics()
    private let gate: HyperscanScanner

    /// Lines held since the last record-opening line before the current block: raw bytes (each
    /// line followed by a newline, `rawEnds` where its bytes end), and the cleaned bytes that the
    /// gate scans (each cleaned line followed by a newline, `cleanEnds` where that newline is).
    private var raw: [UInt8] = []
    private var rawEnds: [Int] = []
    private var clean: [UInt8] = []
    private var cleanEnds: [Int] = []
    /// Held lines whose cleaned form cannot stand for their framed text.
    private var mustFrame: [Int] = []
    /// The number of the first held line.
    private var firstLine: Int
    /// Lines before the first one pushed (a stretch of a file that starts mid-way, see
    /// `ParallelScan`): line numbers count on from there.
    private var lineOffset: Int
    private var scratch: [UInt8] = []
    /// `cleanLines`' output and line ends, reused.
    private var lineBuffer: [UInt8] = []
    private var lineEnds: [Int64] = []
    /// After a fallback: every line goes through this.
    private var full: Framer?
    public static let holdLimit = 8 << 20

    /// `lineOffset`: the number of lines before the first one pushed. The first line pushed must
    /// then open a record (`Framer.opensRecord`), as the start of a file does.
    public init(source: String, gate: RecordGate, configuration: Framer.Configuration = Framer.Configuration(),
                lineOffset: Int = 0) {
        self.source = source
        self.lineOffset = lineOffset
        self.firstLine = lineOffset + 1
        self.configuration = configuration
        self.gate = HyperscanScanner(database: gate.database)
    }

    /// Starts afresh on another input (or another stretch of one, see `init`), keeping the
    /// buffers' capacity: `scan` gives each thread one framer for all its stretches.
    public mutating func restart(lineOffset: Int) {
        statistics = Framer.Statistics()
        self.lineOffset = lineOffset
        firstLine = lineOffset + 1
        raw.removeAll(keepingCapacity: true)
        rawEnds.removeAll(keepingCapacity: true)
        clean.removeAll(keepingCapacity: true)
        cleanEnds.removeAll(keepingCapacity: true)
        mustFrame.removeAll(keepingCapacity: true)
        full = nil
    }

    /// Takes one physical line (without its newline), numbered after the previous one.
    public mutating func push(line: ArraySlice<UInt8>, into out: inout [LogRecord]) {
        statistics.lines += 1
        if line.count > configuration.maxLineBytes { statistics.truncatedLines += 1 }
        if full != nil {
            let records = full!.statistics.records
            full!.push(line: line, number: lineOffset + statistics.lines, into: &out)
            statistics.records += full!.statistics.records - records
            return
        }
        raw.append(contentsOf: line)
        rawEnds.append(raw.count)
        raw.append(0x0A)

        var text = line.prefix(configuration.maxLineBytes)
        if text.last == 0x0D { text = text.dropLast() }
        let start = clean.count
        let bytes = text.withUnsafeBufferPointer { Self.bytesOfNote($0) }
        // Colour (ESC, or the mangled form's 0xEF) needs the stripper; most lines have neither.
        if bytes.escape || bytes.high {
            LineCleaner.appendStrippingANSI(text, to: &clean, mangled: bytes.high)
        } else {
            clean.append(contentsOf: text)
        }
        // Only an index may outlive this line: a slice of `clean` kept alive across the
        // mutations below would make each of them copy the whole buffer.
        if clean.count > start, LineCleaner.mayStartWrapper(clean[start]) {
            let innerStart = LineCleaner.stripWrappers(clean[start...]).line.startIndex
            if innerStart > start { clean.removeSubrange(start..<innerStart) }
        }
        if clean.count > start, clean[start] == UInt8(ascii: "{"), clean.last == UInt8(ascii: "}"),
           !cleanJSON(from: start, known: bytes.escape ? nil : bytes) {
            mustFrame.append(rawEnds.count - 1)
        }
        cleanEnds.append(clean.count)
        clean.append(0x0A)
    }

    /// Takes whole lines: every line of `block` that ends with a newline, and the last one too
    /// when `final`. Returns the index where the bytes not taken start (an unfinished line).
    /// The same as `push(line:)` for each line (lines are not cut here: a line longer than
    /// `maxLineBytes` goes to `push(line:)` with its first `maxLineBytes + 1` bytes, all the framer
    /// reads of it), with the common lines cleaned a block at a time in C (`lw_clean_lines`).
    @discardableResult
    public mutating func push(lines block: ArraySlice<UInt8>, final: Bool, into out: inout [LogRecord]) -> Int {
        var from = block.startIndex
        while from < block.endIndex {
            if full == nil {
                // A window that holds any line the framer keeps whole, with its newline.
                let window = min(block.endIndex - from, configuration.maxLineBytes + 2)
                let last = from + window == block.endIndex
                let result = cleanLines(block[from..<(from + window)], final: final && last)
                from += result.consumed
                if result.handBack == 0 && result.lines > 0 { continue }
                if result.handBack == 0 && last && !final { break } // an unfinished line
                // else: handed back, or a line too long for the window: Swift takes it.
            }
            // One line through `push(line:)`: handed back by C, or every line after a fallback.
            let newline = block[from...].withUnsafeBufferPointer { p in
                p.baseAddress.flatMap { memchr($0, 0x0A, p.count) }.map { UnsafeRawPointer(p.baseAddress!).distance(to: UnsafeRawPointer($0)) }
            }
            guard newline != nil || final else { break }
            let end = newline.map { from + $0 } ?? block.endIndex
            push(line: block[from..<end].prefix(configuration.maxLineBytes + 1), into: &out)
            from = newline == nil ? end : end + 1
        }
        return from
    }

    /// `lw_clean_lines` on `block`, its lines appended to the held ones.
    private mutating func cleanLines(_ block: ArraySlice<UInt8>, final: Bool) -> lw_clean_result {
        let n = block.count, rawBase = raw.count, cleanBase = clean.count
        let batch = 2048
        var result = lw_clean_result()
        guard n > 0 else { return result }
        if lineBuffer.count < n + 1 { lineBuffer = [UInt8](repeating: 0, count: n + 1) }
        if lineEnds.count < 2 * batch { lineEnds = [Int64](repeating: 0, count: 2 * batch) }
        block.withUnsafeBufferPointer { input in
            lineBuffer.withUnsafeMutableBufferPointer { output in
                lineEnds.withUnsafeMutableBufferPointer { ends in
                    result = lw_clean_lines(input.baseAddress, n, final ? 1 : 0, configuration.maxLineBytes,
                                            output.baseAddress!, ends.baseAddress!, ends.baseAddress! + batch, batch,
                                            Int64(rawBase), Int64(cleanBase))
                }
            }
        }
        for k in 0..<result.lines {
            rawEnds.append(Int(lineEnds[k]))
            cleanEnds.append(Int(lineEnds[batch + k]))
        }
        clean.append(contentsOf: lineBuffer[0..<result.written])
        raw.append(contentsOf: block.prefix(result.consumed))
        statistics.lines += result.lines
        return result
    }

    /// Frames what the lines held so far can tell: everything before the last line that opens
    /// a record. Call after each block read.
    public mutating func drain(into out: inout [LogRecord]) {
        guard full == nil, rawEnds.count > 1 else { return }
        var last = rawEnds.count - 1
        while last > 0, !Framer.opensRecord(rawLine(last), configuration: configuration) { last -= 1 }
        if last > 0 {
            frameHot(upTo: last, into: &out)
        } else if raw.count > Self.holdLimit {
            fallBack(into: &out)
        }
    }

    /// End of input: frames what is left.
    public mutating func finish(into out: inout [LogRecord]) {
        if full != nil {
            let records = full!.statistics.records
            full!.flush(into: &out)
            statistics.records += full!.statistics.records - records
            return
        }
        if !rawEnds.isEmpty { frameHot(upTo: rawEnds.count, into: &out) }
    }

    // MARK: - Cleaning

    /// A JSON-looking cleaned line at `start...`: leaves in `clean` a form in which the framed
    /// text appears whole, decoding escapes when the line is a JSON log record. False when the
    /// line must be framed anyway.
    /// `known`: what `bytesOfNote` said of the line before cleaning, when cleaning removed
    /// nothing (a wrapper only drops a prefix, which cannot add a byte).
    private mutating func cleanJSON(from start: Int, known: BytesOfNote?) -> Bool {
        let bytes = known ?? clean.withUnsafeBufferPointer { Self.bytesOfNote(UnsafeBufferPointer(rebasing: $0[start...])) }
        // String(decoding:) repairs invalid UTF-8 and uppercasing maps some non-ASCII letters
        // to ASCII: leave any non-ASCII JSON line to the framer rather than reason about it.
        if bytes.high { return false }
        // Without escapes every value is verbatim in the line already.
        guard bytes.backslash else { return true }
        scratch.removeAll(keepingCapacity: true)
        guard let skim = JSONLine.skim(clean[start...], into: &scratch) else { return true } // not JSON: framed as text, as is
        if skim.hasUnicodeEscape || skim.hasLogKey || skim.hasStackKey { return false }
        guard skim.hasMessageKey else { return true } // JSON but not a log record: framed as text, as is
        clean.removeSubrange(start...)
        clean += scratch
        return true
    }

    struct BytesOfNote {
        /// ESC: colour to strip.
        var escape = false
        /// A byte >= 0x80: non-ASCII text, or the mangled colour form.
        var high = false
        /// A backslash: JSON escapes.
        var backslash = false
    }

    /// One pass over the line, eight bytes at a time, instead of a `memchr` per question: most
    /// lines are short, and per-call costs dominated.
    static func bytesOfNote(_ p: UnsafeBufferPointer<UInt8>) -> BytesOfNote {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        // A word has a zero byte exactly when (w - ones) & ~w & highs is not zero.
        @inline(__always) func hasZero(_ w: UInt64) -> Bool { (w &- ones) & ~w & highs != 0 }
        var note = BytesOfNote()
        var high: UInt64 = 0
        var i = 0
        let n = p.count
        let raw = UnsafeRawBufferPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            high |= w
            if hasZero(w ^ (ones &* 0x1B)) { note.escape = true }
            if hasZero(w ^ (ones &* 0x5C)) { note.backslash = true }
            i += 8
        }
        while i < n {
            let c = p[i]
            high |= UInt64(c)
            if c == 0x1B { note.escape = true }
            if c == 0x5C { note.backslash = true }
            i += 1
        }
        note.high = high & highs != 0
        return note
    }

    // MARK: - Framing

    private func rawLine(_ k: Int) -> ArraySlice<UInt8> {
        raw[(k == 0 ? 0 : rawEnds[k - 1] + 1)..<rawEnds[k]]
    }

    /// Frames the stretches around gate hits among held lines `0..<end` (line `end`, if held,
    /// opens a record), then drops those lines.
    private mutating func frameHot(upTo end: Int, into out: inout [LogRecord]) {
        let hot = hotLines(upTo: end)
        if hot.count * 2 > end {
            // Mostly hot (a Docker log, an error storm): one pass over all, no boundary tests.
            frame(0..<end, into: &out)
        } else {
            var next = 0
            for line in hot where line >= next {
                var first = line
                while first > next, !Framer.opensRecord(rawLine(first), configuration: configuration) { first -= 1 }
                var stop = line + 1
                while stop < end, !Framer.opensRecord(rawLine(stop), configuration: configuration) { stop += 1 }
                frame(first..<stop, into: &out)
                next = stop
            }
        }
        drop(end)
    }

    /// Held lines below `end` with a gate hit or marked to be framed, ascending, each once.
    private mutating func hotLines(upTo end: Int) -> [Int] {
        let limit = cleanEnds[end - 1] + 1
        let ends = clean.withUnsafeBytes { gate.scanEnds(UnsafeRawBufferPointer(rebasing: $0[0..<limit])) }
        guard let ends else { return Array(0..<end) } // too many matches to list: all of them
        var hot: [Int] = mustFrame.filter { $0 < end }
        for (_, matchEnd) in ends {
            // The match's last byte is at matchEnd - 1; line k owns up to its newline at cleanEnds[k].
            let lastByte = matchEnd - 1
            var low = 0, high = end - 1
            while low < high {
                let mid = (low + high) / 2
                if cleanEnds[mid] >= lastByte { high = mid } else { low = mid + 1 }
            }
            hot.append(low)
        }
        hot.sort()
        var unique: [Int] = []
        unique.reserveCapacity(hot.count)
        for line in hot where unique.last != line { unique.append(line) }
        return unique
    }

    private mutating func frame(_ lines: Range<Int>, into out: inout [LogRecord]) {
        var framer = Framer(source: source, configuration: configuration)
        for k in lines { framer.push(line: rawLine(k), number: firstLine + k, into: &out) }
        framer.flush(into: &out)
        statistics.records += framer.statistics.records
    }

    /// Forgets held lines `0..<count`.
    private mutating func drop(_ count: Int) {
        guard count > 0 else { return }
        if count == rawEnds.count {
            raw.removeAll(keepingCapacity: true)
            rawEnds.removeAll(keepingCapacity: true)
            clean.removeAll(keepingCapacity: true)
            cleanEnds.removeAll(keepingCapacity: true)
            mustFrame.removeAll(keepingCapacity: true)
        } else {
            let rawCut = rawEnds[count - 1] + 1, cleanCut = cleanEnds[count - 1] + 1
            raw.removeSubrange(0..<rawCut)
            clean.removeSubrange(0..<cleanCut)
            rawEnds.removeSubrange(0..<count)
            cleanEnds.removeSubrange(0..<count)
            for k in rawEnds.indices { rawEnds[k] -= rawCut }
            for k in cleanEnds.indices { cleanEnds[k] -= cleanCut }
            mustFrame = mustFrame.filter { $0 >= count }.map { $0 - count }
        }
        firstLine += count
        // A block that held a huge stretch is not kept.
        if raw.capacity > 4 << 20 && raw.count < 1 << 20 {
            raw = Array(raw)
            clean = Array(clean)
        }
    }

    /// No line opened a record for `holdLimit` bytes: frame everything from the first held
    /// line (which opens a record, or is the first of the input) on, as the full framer would.
    private mutating func fallBack(into out: inout [LogRecord]) {
        var framer = Framer(source: source, configuration: configuration)
        for k in rawEnds.indices { framer.push(line: rawLine(k), number: firstLine + k, into: &out) }
        statistics.records += framer.statistics.records
        raw = []; rawEnds = []; clean = []; cleanEnds = []; mustFrame = []
        full = framer
    }
}
