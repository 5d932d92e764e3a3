// libFuzzer target: the JSON log-line decoder, alone and through the framer (LiteLLM
// JsonFormatter, Docker json-file wrapping, journal JSON).

import LogwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let object = JSONLine.parseObject(bytes[...]) {
        for (key, value) in object { _ = key.utf8.count + value.utf8.count }
    }
    // As a log line: make it look like one object per line, as the framer sees it.
    var line = bytes.filter { $0 != 0x0A }
    if line.first != UInt8(ascii: "{") { line.insert(UInt8(ascii: "{"), at: 0) }
    if line.last != UInt8(ascii: "}") { line.append(UInt8(ascii: "}")) }
    var framer = Framer(source: "fuzz")
    var records: [LogRecord] = []
    framer.push(line: line[...], number: 1, into: &records)
    framer.flush(into: &records)
    precondition(records.count <= 2, "one JSON line gives at most one record (plus an unwrapped one)")
    return 0
}
