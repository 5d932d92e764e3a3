import Foundation
import XCTest
@testable import LogwatchCore

/// The compiled-database cache must give the same rule set as compiling, and must never let a
/// wrong or damaged entry through.
final class DatabaseCacheTests: XCTestCase {
    final class MemoryCache: HyperscanDatabaseCache, @unchecked Sendable {
        var entries: [String: [UInt8]] = [:]
        var loads = 0, stores = 0
        func load(key: String) -> [UInt8]? { loads += 1; return entries[key] }
        func store(key: String, bytes: [UInt8]) { stores += 1; entries[key] = bytes }
    }

    func specs() throws -> [RuleSpec] {
        let files = [
            ("auth/a.yaml", TestRules.yaml(id: "a", match: [#"AuthenticationError: (?<provider>\w+)Exception"#],
                                           example: "AuthenticationError: AzureException")),
            // A lookbehind: Hyperscan takes it only as a prefilter, a flag the cache must keep.
            ("quota/b.yaml", TestRules.yaml(id: "b", cls: "quota", match: [#"(?<!soft )limit reached"#], example: "limit reached")),
        ]
        let (specs, problems) = RuleLoader().load(files: files.map { (path: "Rules/\($0.0)", contents: $0.1) })
        XCTAssertEqual(problems, [])
        return specs
    }

    func outcomes(_ ruleSet: RuleSet) -> [String] {
        let classifier = Classifier(ruleSet: ruleSet)
        let text = "AuthenticationError: AzureException\nINFO: fine\nERROR: soft limit reached\nERROR: limit reached"
        return Framer.records(in: text, source: "t").compactMap { classifier.classify($0) }
            .map { "\($0.record.line) \($0.ruleID) \($0.fields.sorted { $0.key < $1.key })" }
    }

    func testASecondCompileLoadsTheStoredDatabaseAndBehavesTheSame() throws {
        let cache = MemoryCache()
        let first = try RuleCompiler(cache: cache).compile(specs())
        XCTAssertEqual(cache.stores, 1)
        let second = try RuleCompiler(cache: cache).compile(specs())
        XCTAssertEqual(cache.stores, 1, "a cache hit stores nothing")
        XCTAssertEqual(second.prefilterCount, first.prefilterCount)
        XCTAssertEqual(second.prefilterCount, 1)
        XCTAssertEqual(outcomes(second), outcomes(first))
        XCTAssertEqual(outcomes(first), try outcomes(RuleCompiler().compile(specs())))
        XCTAssertEqual(outcomes(first).count, 3) // a, an unknown ERROR line, b
    }

    func testDamagedOrForeignEntriesAreIgnoredAndRecompiled() throws {
        let cache = MemoryCache()
        _ = try RuleCompiler(cache: cache).compile(specs())
        let key = try XCTUnwrap(cache.entries.keys.first)
        let good = try XCTUnwrap(cache.entries[key])
        // Cut short, flipped inside the database, and an entry stored for other patterns.
        var flipped = good
        flipped[flipped.count - 40] ^= 0xFF
        let foreign = try XCTUnwrap(try {
            let other = MemoryCache()
            var changed = try specs()
            changed.removeLast()
            _ = try RuleCompiler(cache: other).compile(changed)
            return other.entries.values.first
        }())
        for bad in [Array(good.prefix(good.count / 2)), flipped, foreign, []] {
            cache.entries[key] = bad
            let ruleSet = try RuleCompiler(cache: cache).compile(specs())
            XCTAssertEqual(outcomes(ruleSet), try outcomes(RuleCompiler().compile(specs())))
        }
    }
}
