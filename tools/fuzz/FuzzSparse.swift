// libFuzzer target: the gated scan path (`SparseFramer` line by line and a block at a time,
// `RecordGate`, `JSONLine.skim`, the CLineScan C loops) against
// the full framer, with the shipped rules. Whatever the bytes, both must give the same
// classifications (record text, lines, level, time, attributes; rule, fields, template), however
// the lines are cut into blocks. A difference is a crash with the input kept.

import Foundation
import LogwatchCore

/// The shipped rules, compiled once per process (the fuzzer runs from the repository root).
private let rules: (RuleSet, RecordGate) = {
    var files: [(path: String, contents: String)] = []
    let root = "Rules"
    for case let relative as String in FileManager.default.enumerator(atPath: root)! where relative.hasSuffix(".yaml") {
        files.append((relative, try! String(contentsOfFile: root + "/" + relative, encoding: .utf8)))
    }
    let (specs, problems) = RuleLoader().load(files: files.sorted { $0.path < $1.path })
    precondition(problems.isEmpty && !specs.isEmpty, "the shipped rules load")
    let ruleSet = try! RuleCompiler().compile(specs)
    return (ruleSet, RecordGate(ruleSet: ruleSet)!)
}()

private struct Outcome: Equatable {
    var line: Int, endLine: Int, text: [UInt8], level: String?, timestamp: String?, logger: String?
    var attributes: [String: String], truncated: Bool
    var rule: String, fields: [String: String], template: String?

    init(_ c: Classification) {
        let r = c.record
        line = r.line; endLine = r.endLine; text = r.text; level = r.level; timestamp = r.timestamp; logger = r.logger
        attributes = r.attributes; truncated = r.truncated
        rule = c.ruleID; fields = c.fields; template = c.template?.id
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSparse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 1 else { return 0 }
    let (ruleSet, gate) = rules
    // The first byte picks how many lines make a block; small limits make cuts likely.
    let every = Int(data[0] % 7) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    var configuration = Framer.Configuration()
    configuration.maxLineBytes = 300
    configuration.maxRecordLines = 12
    configuration.maxRecordBytes = 2_000

    var framer = Framer(source: "fuzz", configuration: configuration)
    var records: [LogRecord] = []
    for (i, line) in lines.enumerated() { framer.push(line: line, number: i + 1, into: &records) }
    framer.flush(into: &records)
    var expected: [Outcome] = []
    Classifier(ruleSet: ruleSet).classify(batch: records) { expected.append(Outcome($0)) }

    var sparse = SparseFramer(source: "fuzz", gate: gate, configuration: configuration)
    var hot: [LogRecord] = []
    for (i, line) in lines.enumerated() {
        sparse.push(line: line, into: &hot)
        if (i + 1) % every == 0 { sparse.drain(into: &hot) }
    }
    sparse.finish(into: &hot)
    var got: [Outcome] = []
    let classifier = Classifier(ruleSet: ruleSet)
    for record in hot { if let c = classifier.classify(record) { got.append(Outcome(c)) } }

    precondition(sparse.statistics.lines == lines.count, "every line is counted")
    precondition(got == expected, "the gated path gives the same classifications as framing every line")

    // The same lines a block at a time (`push(lines:)`, the C cleaner with its hand-backs), in
    // blocks of `every` lines as `scan`'s stretches give them.
    var blocks = SparseFramer(source: "fuzz", gate: gate, configuration: configuration)
    var blockHot: [LogRecord] = []
    var start = 0, newlines = 0
    for i in bytes.indices where bytes[i] == 0x0A {
        newlines += 1
        if newlines % every == 0 {
            let taken = blocks.push(lines: bytes[start...i], final: false, into: &blockHot)
            precondition(taken == i + 1, "a block of whole lines is taken whole")
            blocks.drain(into: &blockHot)
            start = i + 1
        }
    }
    let taken = blocks.push(lines: bytes[start...], final: true, into: &blockHot)
    precondition(taken == bytes.count, "the last block is taken whole")
    blocks.finish(into: &blockHot)
    var gotBlocks: [Outcome] = []
    for record in blockHot { if let c = classifier.classify(record) { gotBlocks.append(Outcome(c)) } }
    precondition(blocks.statistics.lines == lines.count, "every line is counted, a block at a time")
    precondition(gotBlocks == expected, "blocks of lines give the same classifications as framing every line")
    return 0
}
