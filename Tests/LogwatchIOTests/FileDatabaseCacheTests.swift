import Foundation
import XCTest
import LogwatchCore
@testable import LogwatchIO

final class FileDatabaseCacheTests: XCTestCase {
    func testStoresLoadsAndKeepsOnlyTheNewestEntries() throws {
        let dir = NSTemporaryDirectory() + "lw-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var cache = FileDatabaseCache(directory: dir + "/nested")
        cache.limit = 2
        XCTAssertNil(cache.load(key: "k0"))
        // Distinct modification times, set rather than waited for: the cache evicts the oldest.
        let past = Date(timeIntervalSinceNow: -100)
        for i in 0..<4 {
            cache.store(key: "k\(i)", bytes: [UInt8(i), 1, 2, 3])
            try FileManager.default.setAttributes([.modificationDate: past.addingTimeInterval(Double(i))],
                                                  ofItemAtPath: dir + "/nested/hs-k\(i).bin")
        }
        XCTAssertEqual(cache.load(key: "k3"), [3, 1, 2, 3])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/nested").sorted()
        XCTAssertEqual(names, ["hs-k2.bin", "hs-k3.bin"])
    }

    func testTheRuleDirectoryLoaderUsesTheCacheAndGetsTheSameRules() throws {
        let dir = NSTemporaryDirectory() + "lw-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = FileDatabaseCache(directory: dir)
        let cold = try RuleDirectory.load([], cache: cache).ruleSet
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).count, 1)
        let warm = try RuleDirectory.load([], cache: cache).ruleSet
        XCTAssertEqual(warm.rules.map(\.id), cold.rules.map(\.id))
        XCTAssertEqual(warm.prefilterCount, cold.prefilterCount)
        let line = "litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key"
        XCTAssertEqual(Classifier(ruleSet: warm).classify(LogRecord(text: Array(line.utf8), source: "t", line: 1))?.ruleID,
                       Classifier(ruleSet: cold).classify(LogRecord(text: Array(line.utf8), source: "t", line: 1))?.ruleID)
    }
}
