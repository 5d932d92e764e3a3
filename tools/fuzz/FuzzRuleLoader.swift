// libFuzzer target: the rule loader (YAML through Yams, then every field check) and, for
// small inputs that load cleanly, the compiler (PCRE2 and Hyperscan). Bad rules must come back
// as problems with a file, line and field; nothing may trap.

import LogwatchCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (specs, problems) = RuleLoader().load(files: [(path: "Rules/auth/fuzz.yaml", contents: text)])
    for problem in problems {
        precondition(problem.file == "Rules/auth/fuzz.yaml" && problem.line >= 1 && !problem.field.isEmpty,
                     "a problem names its file, line and field")
    }
    // Compiling is slow for huge patterns; keep it to inputs a person could write.
    if problems.isEmpty, !specs.isEmpty, size <= 4096 {
        do {
            let ruleSet = try RuleCompiler().compile(specs)
            let checker = RuleChecker(ruleSet: ruleSet)
            _ = checker.check()
        } catch {
            for problem in error.problems { precondition(problem.line >= 1, "compile problems name a line") }
        }
    }
    return 0
}
