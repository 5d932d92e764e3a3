import Foundation

/// A strict reader of the Prometheus text exposition format 0.0.4, so the test fails on output
/// a Prometheus server would reject, not only on wrong numbers.
enum ExpositionFormat {
    struct Invalid: Error, CustomStringConvertible {
        let line: Int
        let text: String
        let reason: String
        var description: String { "line \(line): \(reason): \(text)" }
    }

    static let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    static let labelValue = #""(?:[^"\\\n]|\\[\\"n])*""#
    static let labels = #"\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\#(labelValue)(?:,[a-zA-Z_][a-zA-Z0-9_]*=\#(labelValue))*)?\}"#
    static let number = #"(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?Inf|NaN)"#
    static let sample = try! NSRegularExpression(pattern: "^(\(name))(\(labels))? (\(number))(?: -?[0-9]+)?$")
    static let help = try! NSRegularExpression(pattern: "^# HELP (\(name)) .*$")
    static let type = try! NSRegularExpression(pattern: "^# TYPE (\(name)) (counter|gauge|histogram|summary|untyped)$")

    /// Every sample as `name{labels}` (exactly as written) to value. Checks line syntax, that each
    /// family's TYPE comes once and before its samples, that counters end in `_total`, that no
    /// series repeats, and that the text ends with a newline.
    static func parse(_ text: String) throws -> [String: Double] {
        guard text.hasSuffix("\n") else { throw Invalid(line: 0, text: String(text.suffix(40)), reason: "no final newline") }
        var types: [String: String] = [:]
        var samples: [String: Double] = [:]
        for (offset, line) in text.dropLast().components(separatedBy: "\n").enumerated() {
            let number = offset + 1
            let range = NSRange(line.startIndex..., in: line)
            func group(_ match: NSTextCheckingResult, _ index: Int) -> String {
                guard let r = Range(match.range(at: index), in: line) else { return "" }
                return String(line[r])
            }
            if line.hasPrefix("# TYPE") {
                guard let match = type.firstMatch(in: line, range: range) else {
                    throw Invalid(line: number, text: line, reason: "bad TYPE line")
                }
                let family = group(match, 1), kind = group(match, 2)
                guard types[family] == nil else { throw Invalid(line: number, text: line, reason: "TYPE repeated") }
                if kind == "counter" && !family.hasSuffix("_total") {
                    throw Invalid(line: number, text: line, reason: "counter name without _total")
                }
                types[family] = kind
            } else if line.hasPrefix("# HELP") {
                guard help.firstMatch(in: line, range: range) != nil else {
                    throw Invalid(line: number, text: line, reason: "bad HELP line")
                }
            } else if line.hasPrefix("#") || line.isEmpty {
                continue
            } else {
                guard let match = sample.firstMatch(in: line, range: range) else {
                    throw Invalid(line: number, text: line, reason: "bad sample line")
                }
                let family = group(match, 1)
                guard types[family] != nil else { throw Invalid(line: number, text: line, reason: "sample before its TYPE") }
                let series = family + group(match, 2)
                guard samples[series] == nil else { throw Invalid(line: number, text: line, reason: "series repeated") }
                samples[series] = Double(group(match, 3))
            }
        }
        return samples
    }
}
