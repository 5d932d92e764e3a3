/// Groups error-looking records that no rule matched by a masked template, so a new failure
/// mode gives one incident rather than silence or a flood.
///
/// The template keeps the words and masks what varies between occurrences (numbers, ids,
/// hashes, URLs, paths, quoted values). Its id is a hash of the template text, so it is the
/// same across restarts and hosts.
public enum UnknownTemplate {
    /// The masked template and its stable id (`u-` and 12 hex digits).
    public static func make(_ record: LogRecord) -> (id: String, template: String) {
        let text = representative(record.string)
        let template = mask(text)
        return ("u-" + hex(fnv1a(template), digits: 12), template)
    }

    /// The message line and, for a traceback, its final exception line: the parts that name
    /// the failure. Frame lines and code excerpts change with versions and are left out.
    static func representative(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first else { return "" }
        var parts = [stripHeader(first)]
        if text.contains("Traceback (most recent call last)"),
           let last = lines.last(where: { line in
               guard let c = line.first, c != " ", c != "\t", c != "^", c != "~" else { return false }
               return line.contains(":") && !line.hasPrefix("Traceback") && !line.hasPrefix("During handling")
                   && !line.hasPrefix("The above exception")
           }), last != first {
            parts.append(String(last))
        }
        return parts.joined(separator: " | ")
    }

    /// Drops the time, logger and `file.py:NN` of a LiteLLM header: they vary per occurrence.
    static func stripHeader(_ line: Substring) -> String {
        var rest = line
        if let header = LineHeader.parse(ArraySlice(line.utf8)), header.kind == .litellm,
           let range = rest.firstRange(of: ":" + (header.level ?? "") + ":") {
            rest = rest[range.upperBound...]
            // ` file.py:NN - `
            if let dash = rest.firstRange(of: " - "), rest[..<dash.lowerBound].contains(".py:") {
                rest = rest[dash.upperBound...]
            }
        }
        return String(rest).trimmingWhitespace
    }

    /// Masks the variable parts of a message.
    public static func mask(_ text: String) -> String {
        var out = ""
        let chars = Array(text.prefix(400))
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." || c == "/" || c == ":" }
        while i < chars.count {
            let c = chars[i]
            if c == "'" || c == "\"" || c == "`" {
                // A quoted value: mask up to the matching quote on the same line.
                if let close = chars[(i + 1)...].firstIndex(where: { $0 == c || $0 == "\n" }), chars[close] == c, close - i <= 200 {
                    out += "<*>"
                    i = close + 1
                    continue
                }
            }
            if isWordChar(c) {
                var j = i
                while j < chars.count, isWordChar(chars[j]) { j += 1 }
                var word = String(chars[i..<j])
                // Trailing punctuation belongs to the sentence, not the token.
                var tail = ""
                while let last = word.last, last == "." || last == ":" || last == "," {
                    tail = String(last) + tail
                    word.removeLast()
                }
                out += maskWord(word) + tail
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }

    static func maskWord(_ word: String) -> String {
        if word.isEmpty { return word }
        if word.contains("://") { return "<url>" }
        if word.hasPrefix("/") && word.count > 1 { return "<path>" }
        let digits = word.filter(\.isNumber).count
        if digits == 0 { return word }
        let hexOnly = word.allSatisfy { $0.isHexDigit || $0 == "-" }
        if hexOnly && word.count >= 8 { return "<id>" }
        if word.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" || $0 == "-" }) { return "<n>" }
        // A word with digits inside letters (an id, a version, a deployment name): mask when mostly digits.
        if digits * 3 >= word.count { return "<id>" }
        return word
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let full = String(value, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - full.count)) + full
        return String(padded.prefix(digits))
    }
}
