// libFuzzer target: the Kubernetes CRI line decoder (`TIMESTAMP STREAM P|F message`), each line
// of the input on its own, as FileTailer hands them over.

import LogwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCRI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        guard let entry = CRILine.parse(line) else { continue }
        precondition(entry.message.count <= line.count, "the message is part of the line")
        _ = entry.timestamp.utf8.count + entry.stream.utf8.count
    }
    return 0
}
