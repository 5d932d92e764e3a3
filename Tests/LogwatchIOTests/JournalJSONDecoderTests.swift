import Foundation
import TestSupport
import XCTest
@testable import LogwatchIO
import LogwatchCore

/// The decoder against real `journalctl --file X -o json` output of journals made here: it must
/// give the same lines and metadata as reading the same file through sd-journal.
final class JournalJSONDecoderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try Scratch.directory("lw-jjson")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func journalctl(_ arguments: [String]) throws -> [ArraySlice<UInt8>] {
        let path = try XCTUnwrap(Repository.which("journalctl"), "journalctl is missing (Debian package systemd)")
        let result = try ProcessRunner.run(URL(fileURLWithPath: path), arguments + ["--no-pager"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return Array(result.stdoutData).split(separator: 0x0A)
    }

    struct Entry: Equatable {
        var lines: [[UInt8]]
        var metadata: EntryMetadata
    }

    func testJournalctlJSONDecodesToWhatTheNativeSourceReads() throws {
        var export = JournalExport()
        export.systemd("Started litellm.service - LiteLLM Proxy.", unit: "litellm.service",
                       messageID: "39f53479d3a045ac8e11786248231fbf", jobType: "start", jobResult: "done")
        export.log("10:00:00 - LiteLLM Proxy:ERROR: a.py:1 - litellm.AuthenticationError: bad key", priority: 3)
        export.log("Traceback (most recent call last):\n  File \"/app/x.py\", line 1, in f\nValueError: \"quoted\" \\ and tab\t")
        export.entry([("_SYSTEMD_UNIT", Array("litellm.service".utf8)), ("PRIORITY", Array("4".utf8)),
                      ("MESSAGE", Array("bytes ".utf8) + [0xFF, 0xFE] + Array(" é ✓".utf8))])
        export.log(String(repeating: "long ", count: 1000), priority: 2)
        export.log("other unit", unit: "other.service", pid: 9)
        try export.write(to: dir)
        let file = dir.appendingPathComponent("remote.journal").path

        let source = try JournalSource(directory: dir.path, units: [], matches: [], fromStart: true)
        var native: [Entry] = []
        repeat {
            _ = source.read(maxLines: 100) { line, _, metadata in
                if let metadata { native.append(Entry(lines: [], metadata: metadata)) }
                native[native.count - 1].lines.append(Array(line))
            }
        } while !source.atEnd
        XCTAssertEqual(native.count, 6)

        var decoder = JournalJSONDecoder()
        var decoded: [Entry] = []
        for line in try journalctl(["--file", file, "-o", "json", "--all"]) {
            let entry = try XCTUnwrap(decoder.decode(line))
            XCTAssertTrue(entry.cursor?.hasPrefix("s=") == true)
            var metadata = entry.metadata
            XCTAssertEqual(metadata.attributes.removeValue(forKey: "cursor"), entry.cursor)
            decoded.append(Entry(lines: entry.lines.map(Array.init), metadata: metadata))
        }
        XCTAssertEqual(decoded, native)
        XCTAssertEqual(decoded[0].metadata.unitEvent?.kind, .started)
        XCTAssertEqual(decoded[3].lines, [Array("bytes ".utf8) + [0xFF, 0xFE] + Array(" é ✓".utf8)], "binary MESSAGE as bytes")
        XCTAssertEqual(decoder.statistics, .init(entries: 6, invalidLines: 0, withoutMessage: 0, cutEntries: 0))

        // Without --all journalctl writes null for values over 4096 bytes: counted, no lines.
        var plain = JournalJSONDecoder()
        let entries = try journalctl(["--file", file, "-o", "json"]).compactMap { plain.decode($0) }
        XCTAssertEqual(entries.count, 5)
        XCTAssertEqual(plain.statistics.withoutMessage, 1)
    }

    /// Every prefix of real journalctl lines, and each with one byte changed, decodes or is
    /// counted as invalid; none traps.
    func testTruncatedAndCorruptedJournalctlLinesNeverTrap() throws {
        var export = JournalExport()
        export.log("10:00:00 - LiteLLM Proxy:ERROR: a.py:1 - \"quoted\" é\nTraceback (most recent call last):", priority: 3)
        export.entry([("_SYSTEMD_UNIT", Array("litellm.service".utf8)), ("MESSAGE", [0x61, 0xFF, 0x0A, 0x62])])
        try export.write(to: dir)
        let lines = try journalctl(["--file", dir.appendingPathComponent("remote.journal").path, "-o", "json"])
        XCTAssertEqual(lines.count, 2)
        var decoder = JournalJSONDecoder()
        var random = SplitMix64(seed: 7)
        var calls = 0
        for line in lines {
            for end in line.indices { _ = decoder.decode(line[line.startIndex..<end]); calls += 1 }
            for _ in 0..<2_000 {
                var changed = Array(line)
                changed[Int(random.next() % UInt64(changed.count))] = UInt8(truncatingIfNeeded: random.next())
                _ = decoder.decode(changed[...])
                calls += 1
            }
        }
        let s = decoder.statistics
        XCTAssertEqual(s.entries + s.invalidLines, calls)
        XCTAssertGreaterThan(s.invalidLines, 0)
    }

    func testOddAndBadLinesNeverTrapAndAreCounted() throws {
        var decoder = JournalJSONDecoder(units: ["litellm.service"], maxEntryBytes: 8)
        XCTAssertNil(decoder.decode(Array("not json".utf8)[...]))
        XCTAssertNil(decoder.decode(Array(#"{"a":1}"#.utf8)[...]), "an object without journal fields")
        XCTAssertNil(decoder.decode(Array(#"{"MESSAGE":"x""#.utf8)[...]))
        XCTAssertEqual(decoder.statistics.invalidLines, 3)
        let twice = try XCTUnwrap(decoder.decode(Array(#"{"MESSAGE":["one",[116,119,111]],"__REALTIME_TIMESTAMP":"1"}"#.utf8)[...]))
        XCTAssertEqual(twice.lines.map { String(decoding: $0, as: UTF8.self) }, ["one", "two"])
        XCTAssertEqual(twice.metadata.timestamp, "1970-01-01T00:00:00.000001Z")
        let cut = try XCTUnwrap(decoder.decode(Array(#"{"MESSAGE":"0123456789abc","PRIORITY":"7"}"#.utf8)[...]))
        XCTAssertEqual(cut.lines.map(Array.init), [Array("01234567".utf8)])
        XCTAssertEqual(cut.metadata.level, "DEBUG")
        XCTAssertEqual(decoder.statistics.cutEntries, 1)
        XCTAssertNil(decoder.decode(Array(#"{"MESSAGE":[1,999],"__CURSOR":"c"}"#.utf8)[...]), "a byte over 255")
        XCTAssertNil(decoder.decode(Array(#"{"MESSAGE":null,"__CURSOR":"c"}"#.utf8)[...]))
        XCTAssertEqual(decoder.statistics.withoutMessage, 2)
        // systemd's message about another unit is not a unit event of the watched one.
        let foreign = try XCTUnwrap(decoder.decode(Array(#"{"MESSAGE":"Started x","UNIT":"x.service","_PID":"1"}"#.utf8)[...]))
        XCTAssertNil(foreign.metadata.unitEvent)
        let own = try XCTUnwrap(decoder.decode(Array(#"{"MESSAGE":"Stopping","UNIT":"litellm.service","_PID":"1","JOB_TYPE":"stop"}"#.utf8)[...]))
        XCTAssertEqual(own.metadata.unitEvent?.kind, .stopping)
    }
}
