// libFuzzer target: the `journalctl -o json` decoder (`--stdin --format journal-json`), line by
// line as StreamSource hands them over. Compiled with JournalJSONDecoder.swift and what it uses
// (tools/fuzz/build.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournalJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = JournalJSONDecoder(units: ["litellm.service"], maxEntryBytes: 4096)
    var lines = 0
    for line in bytes.split(separator: 0x0A) {
        lines += 1
        if let entry = decoder.decode(line) {
            for physical in entry.lines { precondition(physical.count <= 4096 + 64, "an entry is cut at the limit") }
        }
    }
    precondition(decoder.statistics.entries + decoder.statistics.invalidLines <= lines, "one count per line at most")
    return 0
}
