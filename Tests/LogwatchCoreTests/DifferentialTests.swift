import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

/// Hyperscan and PCRE2 must agree on every shipped pattern over a large generated input.
/// This is what catches engine defects such as vectorscan 5.4.9 silently missing matches
/// on AVX-512 CPUs (design.md): a miss shows up here as PCRE2 matching where Hyperscan did not.
final class DifferentialTests: XCTestCase {
    static let repository = Repository.root

    func testHyperscanAndPCRE2AgreeOnFiftyMegabytesOfGeneratedLog() throws {
        let ruleSet = try BlockScanTests.shippedRules()
        // Line material: every rule's examples and counterexamples, the pattern from the
        // vectorscan defect, and ordinary proxy traffic, with numbers varied per line.
        var material: [[UInt8]] = [
            Array(#"  File "/usr/lib/python3.13/site-packages/litellm/router.py", line 1644, in acompletion"#.utf8),
            Array(#"INFO:     172.18.0.5:40470 - "POST /chat/completions HTTP/1.1" 200 OK"#.utf8),
            Array("09:00:03 - LiteLLM Router:INFO: router.py:1193 - litellm.acompletion(model=gpt-4o) 200 OK".utf8),
            Array("09:00:03 - LiteLLM Proxy:DEBUG: utils.py:29 - INITIALIZING LITELLM CALLBACKS!".utf8),
        ]
        for rule in ruleSet.rules {
            for example in rule.spec.examples + rule.spec.counterexamples {
                material += example.text.split(separator: "\n").map { Array($0.utf8) }
            }
        }
        var rng = SplitMix64(seed: 42)
        let target = 50 * 1024 * 1024
        var data: [UInt8] = []
        data.reserveCapacity(target + 4096)
        while data.count < target {
            // Mostly traffic, sometimes an error line, like a real log.
            let pick = Int(rng.next() % 100) < 85 ? Int(rng.next() % 4) : Int(rng.next() % UInt64(material.count))
            var line = material[pick]
            if let digit = line.firstIndex(where: { $0 >= 0x30 && $0 <= 0x39 }) { line[digit] = 0x30 + UInt8(rng.next() % 10) }
            data += line
            data.append(0x0A)
        }
        // Blocks on line boundaries, small enough that most patterns are absent from most blocks.
        var blocks: [Range<Int>] = []
        var start = 0
        while start < data.count {
            var end = min(start + 16 * 1024, data.count)
            while end < data.count, data[end - 1] != 0x0A { end += 1 }
            blocks.append(start..<end)
            start = end
        }
        let scanner = HyperscanScanner(database: ruleSet.database)
        var checked = 0, missed: [String] = [], extra: [String] = []
        data.withUnsafeBytes { all in
            for block in blocks {
                let bytes = UnsafeRawBufferPointer(rebasing: all[block])
                let hits = Set(scanner.scan(bytes).map(Int.init))
                for (slot, kind) in ruleSet.slots.enumerated() {
                    let pattern: PCRE2Pattern
                    switch kind {
                    case .match(let rule, let index): pattern = ruleSet.rules[rule].match[index]
                    case .unless(let rule, let index): pattern = ruleSet.rules[rule].unless[index]
                    case .errorLook: continue
                    }
                    let outcome = pattern.firstMatch(in: bytes)
                    if outcome == .limitExceeded { continue }
                    checked += 1
                    let pcre = outcome != .noMatch
                    if pcre && !hits.contains(slot) { missed.append("\(pattern.source) at block \(block)") }
                    // A prefilter may over-match by design; an exact pattern may not.
                    if !pcre && hits.contains(slot) && !ruleSet.isPrefilter(slot) { extra.append("\(pattern.source) at block \(block)") }
                }
            }
        }
        XCTAssertGreaterThan(checked, 100_000)
        XCTAssertEqual(missed.count, 0, "Hyperscan missed matches PCRE2 found: \(missed.prefix(5))")
        XCTAssertEqual(extra.count, 0, "Hyperscan reported matches PCRE2 did not confirm: \(extra.prefix(5))")
    }
}
