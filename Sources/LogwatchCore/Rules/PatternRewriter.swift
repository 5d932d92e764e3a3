/// Rewrites regex source text where it is syntax, leaving literal text alone: escapes (`\(`),
/// quoted runs (`\Q...\E`) and character classes (`[(^$]`, with `]` or `[^]` first taken as a
/// member) are copied as written; every other byte goes to `step`.
enum PatternRewriter {
    /// `step(bytes, i, &out)` handles the syntax byte at `i` and returns the index to go on
    /// from, or nil to have the byte copied as it is.
    static func rewrite(_ source: String, _ step: (_ bytes: [UInt8], _ i: Int, _ out: inout [UInt8]) -> Int?) -> String {
        let bytes = Array(source.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var inClass = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                if !inClass, bytes[i + 1] == UInt8(ascii: "Q") {
                    // Quoted text runs to `\E` (or the end), all of it literal.
                    var j = i + 2
                    while j < bytes.count, !(bytes[j] == UInt8(ascii: "\\") && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "E")) {
                        j += 1
                    }
                    let end = min(j + 2, bytes.count)
                    out += bytes[i..<end]
                    i = end
                    continue
                }
                out.append(c); out.append(bytes[i + 1]); i += 2; continue
            }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
                out.append(c); i += 1; continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                out.append(c); i += 1
                // A ']' right after '[' or '[^' is a literal member.
                if i < bytes.count, bytes[i] == UInt8(ascii: "^") { out.append(bytes[i]); i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { out.append(bytes[i]); i += 1 }
                continue
            }
            if let next = step(bytes, i, &out) {
                i = next
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
