// libFuzzer target: the config parser (YAML → LogwatchConfig with problems). Any text must give
// a config or problems with a file and line, never a trap.

import LogwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let config = try ConfigParser().parse(text, file: "fuzz.yaml")
        _ = ConfigRenderer.render(config, shippedRules: nil).utf8.count
    } catch {
        precondition(!error.problems.isEmpty, "a rejected config names at least one problem")
        for problem in error.problems { _ = "\(problem)".utf8.count }
    }
    return 0
}
