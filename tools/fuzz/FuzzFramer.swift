// libFuzzer target: the line splitter and the framer on arbitrary bytes, fed in arbitrary
// chunks, with small limits so truncation and record caps are reached. Built by tools/fuzz/build.sh
// together with LogwatchCore's sources (so the framer is coverage-instrumented).

import LogwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The first byte picks the chunk size, so chunk boundaries land everywhere.
    let chunk = Int(bytes[0] % 64) + 1
    var configuration = Framer.Configuration()
    configuration.maxLineBytes = 200
    configuration.maxRecordBytes = 2_000
    configuration.maxRecordLines = 12
    var framer = Framer(source: "fuzz", configuration: configuration)
    var splitter = LineSplitter(maxPending: configuration.maxLineBytes)
    var records: [LogRecord] = []
    var number = 0
    var offset = 1
    while offset < size {
        let end = min(size, offset + chunk)
        splitter.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { line in
            number += 1
            framer.push(line: line, number: number, into: &records)
        }
        offset = end
    }
    splitter.finish { line in
        number += 1
        framer.push(line: line, number: number, into: &records)
    }
    framer.flush(into: &records)
    precondition(records.count == framer.statistics.records, "every framed record is counted")
    for record in records {
        precondition(record.line >= 1 && record.line <= record.endLine && record.endLine <= number, "line range")
        precondition(record.text.last != 0x0A, "no trailing newline")
        _ = record.string
    }
    // The in-memory path must agree with the streaming one when both see the same lines: no
    // line past the splitter's limit and no final newline (which `records(in:)` reads as an
    // empty last line, as it reads empty input as one empty line).
    let body = Array(bytes[1...])
    let longest = body.split(separator: 0x0A, omittingEmptySubsequences: false).map(\.count).max() ?? 0
    if !body.isEmpty, longest <= configuration.maxLineBytes, body.last != 0x0A {
        let whole = Framer.records(in: body, source: "fuzz", configuration: configuration)
        precondition(whole == records, "streaming and in-memory framing agree")
    }
    return 0
}
