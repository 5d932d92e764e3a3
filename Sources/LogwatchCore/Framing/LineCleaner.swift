#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level clean-up of one physical line: ANSI colour and the wrappers that container
/// runtimes and log shippers put in front of every line.
public enum LineCleaner {
    /// Removes ANSI CSI sequences (`ESC [ ... letter`) and the mangled form in which the ESC
    /// byte was replaced by U+FFFD (`\xEF\xBF\xBD[92m`) when a log was pasted or re-encoded.
    public static func stripANSI(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        // memchr is vectorised; two passes over a clean line beat one byte loop.
        let clean = line.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress, !p.isEmpty else { return true }
            return memchr(base, 0x1B, p.count) == nil && memchr(base, 0xEF, p.count) == nil
        }
        if clean { return line }
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        appendStrippingANSI(line, to: &out)
        return out[...]
    }

    /// `stripANSI`, appending the result to `out` instead of allocating (`SparseFramer` builds
    /// one buffer of cleaned lines per block).
    /// `mangled: false` promises the line has no byte >= 0x80, so no mangled form to look for.
    public static func appendStrippingANSI(_ line: ArraySlice<UInt8>, to out: inout [UInt8], mangled: Bool = true) {
        var i = line.startIndex
        while i < line.endIndex {
            // Bytes other than ESC and 0xEF are always kept: copy up to the next of those at once.
            let next = Self.nextCandidate(line, from: i, mangled: mangled)
            if next > i {
                out.append(contentsOf: line[i..<next])
                i = next
                if i == line.endIndex { break }
            }
            var introducerEnd: Int?
            if line[i] == 0x1B, i + 1 < line.endIndex, line[i + 1] == UInt8(ascii: "[") {
                introducerEnd = i + 2
            } else if line[i] == 0xEF, i + 3 < line.endIndex, line[i + 1] == 0xBF, line[i + 2] == 0xBD,
                      line[i + 3] == UInt8(ascii: "[") {
                introducerEnd = i + 4
            }
            if let start = introducerEnd {
                var j = start
                while j < line.endIndex, (line[j] >= 0x30 && line[j] <= 0x3F) { j += 1 }
                if j < line.endIndex, (line[j] >= 0x40 && line[j] <= 0x7E) {
                    // The mangled form is only taken for SGR colour (`m`), to keep real U+FFFD text.
                    if line[i] == 0x1B || line[j] == UInt8(ascii: "m") {
                        i = j + 1
                        continue
                    }
                }
            }
            out.append(line[i])
            i += 1
        }
    }

    /// The index of the next ESC or 0xEF byte at or after `from`, or the end.
    static func nextCandidate(_ line: ArraySlice<UInt8>, from: Int, mangled: Bool = true) -> Int {
        line.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return line.endIndex }
            let offset = from - line.startIndex
            let count = p.count - offset
            var best = p.count
            if let esc = memchr(base + offset, 0x1B, count) {
                best = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(esc))
            }
            if mangled, let ef = memchr(base + offset, 0xEF, min(count, best - offset)) {
                best = min(best, UnsafeRawPointer(base).distance(to: UnsafeRawPointer(ef)))
            }
            return line.startIndex + best
        }
    }

    /// Strips wrappers, outermost first, and returns the remaining line plus a timestamp
    /// found in a wrapper, if any.
    public static func stripWrappers(_ input: ArraySlice<UInt8>) -> (line: ArraySlice<UInt8>, timestamp: String?) {
        guard mayHaveWrapper(input) else { return (input, nil) }
        var line = input
        var timestamp: String?
        for _ in 0..<4 {
            if let rest = dropCompose(line) { line = rest; continue }
            if let (rest, time) = dropRFC3339(line) { line = rest; timestamp = timestamp ?? time; continue }
            if let (rest, time) = dropSyslog(line) { line = rest; timestamp = timestamp ?? time; continue }
            break
        }
        return (line, timestamp)
    }

    /// A necessary condition for each of the wrappers `stripWrappers` drops, at a few byte
    /// compares: most lines carry none, and this runs on every line of a scan.
    static func mayHaveWrapper(_ line: ArraySlice<UInt8>) -> Bool {
        let s = line.startIndex
        guard s < line.endIndex else { return false }
        let first = line[s]
        if first == UInt8(ascii: "|") || first == 0xE2 { return true }
        guard isAlnum(first) else { return false }
        // docker compose: `name  | `, as `dropCompose` reads it.
        var i = s
        while i < line.endIndex, isAlnum(line[i]) || line[i] == UInt8(ascii: "_") || line[i] == UInt8(ascii: "-")
                || line[i] == UInt8(ascii: ".") { i += 1 }
        while i < line.endIndex, line[i] == 0x20 { i += 1 }
        if i < line.endIndex, line[i] == UInt8(ascii: "|") { return true }
        // RFC 3339: `2024-12-24T...`; syslog: `Apr 08 08:06:58 `.
        if line.count > 20, isDigit(first), line[s + 4] == UInt8(ascii: "-"), line[s + 10] == UInt8(ascii: "T") { return true }
        if line.count > 17, first >= 0x41, first <= 0x5A, line[s + 3] == 0x20, line[s + 9] == UInt8(ascii: ":") { return true }
        return false
    }

    /// Whether a line starting with this byte can carry a wrapper `stripWrappers` removes:
    /// each one starts with a letter or digit, `|`, or the first byte of `│` (JSON lines and
    /// indented continuation lines never do).
    @inline(__always) public static func mayStartWrapper(_ first: UInt8) -> Bool {
        isAlnum(first) || first == UInt8(ascii: "|") || first == 0xE2
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// docker compose `name  | ` (and a bare `| ` left when the name was cut off), k9s `│ `.
    static func dropCompose(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var i = line.startIndex
        guard i < line.endIndex else { return nil }
        if line[i] == UInt8(ascii: "|") {
            i += 1
            if i < line.endIndex, line[i] == 0x20 { i += 1 }
            return line[i...]
        }
        // k9s box drawing bar U+2502 is E2 94 82.
        if line.count >= 3, line[i] == 0xE2, line[i + 1] == 0x94, line[i + 2] == 0x82 {
            i += 3
            if i < line.endIndex, line[i] == 0x20 { i += 1 }
            return line[i...]
        }
        guard isAlnum(line[i]) else { return nil }
        while i < line.endIndex, isAlnum(line[i]) || line[i] == UInt8(ascii: "_") || line[i] == UInt8(ascii: "-")
                || line[i] == UInt8(ascii: ".") { i += 1 }
        let nameEnd = i
        while i < line.endIndex, line[i] == 0x20 { i += 1 }
        guard i > nameEnd, i < line.endIndex, line[i] == UInt8(ascii: "|"), i - line.startIndex <= 64 else { return nil }
        i += 1
        if i < line.endIndex, line[i] == 0x20 { i += 1 }
        return line[i...]
    }

    /// `2024-12-24T07:33:15.122179216Z ` (docker logs --timestamps, kubectl --timestamps).
    static func dropRFC3339(_ line: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, String)? {
        let s = line.startIndex
        guard line.count > 20, isDigit(line[s]), isDigit(line[s + 3]), line[s + 4] == UInt8(ascii: "-"),
              line[s + 7] == UInt8(ascii: "-"), line[s + 10] == UInt8(ascii: "T"), line[s + 13] == UInt8(ascii: ":"),
              line[s + 16] == UInt8(ascii: ":") else { return nil }
        var i = s + 19
        if i < line.endIndex, line[i] == UInt8(ascii: ".") {
            i += 1
            while i < line.endIndex, isDigit(line[i]) { i += 1 }
        }
        if i < line.endIndex, line[i] == UInt8(ascii: "Z") {
            i += 1
        } else if i < line.endIndex, line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "-") {
            i += 1
            while i < line.endIndex, isDigit(line[i]) || line[i] == UInt8(ascii: ":") { i += 1 }
        } else {
            return nil // without a zone this is a producer's own timestamp, not a wrapper
        }
        guard i < line.endIndex, line[i] == 0x20 else { return nil }
        return (line[(i + 1)...], String(decoding: line[s..<i], as: UTF8.self))
    }

    /// `Apr 08 08:06:58 host unit[pid]: ` (journalctl short format, syslog files).
    static func dropSyslog(_ line: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, String)? {
        let s = line.startIndex
        guard line.count > 17, line[s] >= 0x41, line[s] <= 0x5A, line[s + 3] == 0x20,
              isDigit(line[s + 5]), line[s + 6] == 0x20, line[s + 9] == UInt8(ascii: ":"),
              line[s + 12] == UInt8(ascii: ":"), line[s + 15] == 0x20 else { return nil }
        var i = s + 16
        // host
        let hostStart = i
        while i < line.endIndex, line[i] != 0x20 { i += 1 }
        guard i > hostStart, i < line.endIndex else { return nil }
        i += 1
        // unit or program, optional [pid], then ':'
        let tagStart = i
        while i < line.endIndex, line[i] != UInt8(ascii: ":"), line[i] != 0x20, line[i] != UInt8(ascii: "[") { i += 1 }
        guard i > tagStart, i < line.endIndex else { return nil }
        if line[i] == UInt8(ascii: "[") {
            while i < line.endIndex, line[i] != UInt8(ascii: "]") { i += 1 }
            guard i < line.endIndex else { return nil }
            i += 1
        }
        guard i < line.endIndex, line[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        if i < line.endIndex, line[i] == 0x20 { i += 1 }
        return (line[i...], String(decoding: line[s..<(s + 15)], as: UTF8.self))
    }
}
