import Foundation
import TestSupport
import XCTest
@testable import LogwatchIO
import LogwatchCore

/// Real journal files made by systemd-journal-remote from export format written here.
final class JournalSourceTests: XCTestCase {
    var dir: URL!

    static let started = "39f53479d3a045ac8e11786248231fbf"
    static let starting = "7d4958e842da4a758f6c1cdc7b36dcc5"
    static let failureResult = "d9b373ed55a64feb8242e02dbe79a49c"

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lw-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    struct Line {
        var text: String
        var bytes: [UInt8]
        var token: Int64
        var metadata: EntryMetadata?
    }

    /// Reads until the source reports the newest entry was reached.
    func drain(_ source: JournalSource, maxLines: Int = 1000) -> [Line] {
        var lines: [Line] = []
        repeat {
            _ = source.read(maxLines: maxLines) { bytes, token, metadata in
                lines.append(Line(text: String(decoding: bytes, as: UTF8.self), bytes: Array(bytes), token: token,
                                  metadata: metadata))
            }
        } while !source.atEnd
        return lines
    }

    func testOnlyTheWatchedUnitAndSystemdsMessagesAboutItComeOut() throws {
        var export = JournalExport()
        export.systemd("Starting litellm.service - LiteLLM Proxy...", unit: "litellm.service", messageID: Self.starting,
                       jobType: "start")
        export.systemd("Started postgresql.service - PostgreSQL.", unit: "postgresql.service", messageID: Self.started,
                       jobType: "start", jobResult: "done")
        export.systemd("Started litellm.service - LiteLLM Proxy.", unit: "litellm.service", messageID: Self.started,
                       jobType: "start", jobResult: "done")
        for i in 1...10 {
            export.log("INFO:     litellm seq=\(i)")
            export.log("ERROR: other seq=\(i)", unit: "other.service", priority: 3, pid: 777, identifier: "other")
        }
        export.log("litellm.exceptions.AuthenticationError: bad key seq=11", priority: 3)
        // No MESSAGE_ID: the text decides.
        export.entry([("_PID", "1"), ("UNIT", "litellm.service"), ("PRIORITY", "6"),
                      ("MESSAGE", "Stopped litellm.service - LiteLLM Proxy.")].map { ($0.0, Array($0.1.utf8)) })
        export.systemd("litellm.service: Failed with result 'exit-code'.", unit: "litellm.service",
                       messageID: Self.failureResult)
        try export.write(to: dir)

        let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [], fromStart: true)
        XCTAssertEqual(source.key, "journal:litellm.service:\(dir.path)")
        let lines = drain(source)
        XCTAssertEqual(lines.map(\.text),
                       ["Starting litellm.service - LiteLLM Proxy...", "Started litellm.service - LiteLLM Proxy."]
                       + (1...10).map { "INFO:     litellm seq=\($0)" }
                       + ["litellm.exceptions.AuthenticationError: bad key seq=11", "Stopped litellm.service - LiteLLM Proxy.",
                          "litellm.service: Failed with result 'exit-code'."])
        XCTAssertEqual(lines.map { $0.metadata?.unitEvent?.kind },
                       [.starting, .started] + Array(repeating: nil, count: 11) + [.stopped, .failed])
        XCTAssertEqual(lines[1].metadata?.unitEvent, UnitEvent(unit: "litellm.service", kind: .started,
                                                             time: Double(export.realtimes[2]) / 1_000_000))
        // The error entry is the 24th written, 23 ms after the first: its realtime gives the timestamp.
        let error = try XCTUnwrap(lines[12].metadata)
        XCTAssertEqual(error.level, "ERROR")
        XCTAssertEqual(error.timestamp, "2025-07-02T08:00:00.023000Z")
        XCTAssertEqual(error.attributes, ["unit": "litellm.service", "pid": "4242", "identifier": "litellm",
                                          "hostname": "proxy-1"])
        XCTAssertEqual(lines[2].metadata?.level, "INFO")

        // `litellm` means litellm.service, as with journalctl -u.
        let short = try JournalSource(directory: dir.path, units: ["litellm"], matches: [], fromStart: true)
        XCTAssertEqual(drain(short).map(\.text), lines.map(\.text))

        // A FIELD=VALUE match narrows the units' entries further (AND).
        let errorsOnly = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: ["PRIORITY=3"],
                                           fromStart: true)
        XCTAssertEqual(drain(errorsOnly).map(\.text), ["litellm.exceptions.AuthenticationError: bad key seq=11"])
        XCTAssertThrowsError(try JournalSource(directory: dir.path, units: [], matches: ["priority"], fromStart: true))
        XCTAssertThrowsError(try JournalSource(directory: dir.appendingPathComponent("missing").path, units: [], matches: []))
    }

    func testMultiLineMessageAndATracebackSplitOneLinePerEntryFrameAsOneRecordEach() throws {
        var export = JournalExport()
        export.log("10:00:00 - LiteLLM Proxy:ERROR: proxy_server.py:1 - Exception occured - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached", priority: 3)
        for line in ["Traceback (most recent call last):", "  File \"/app/x.py\", line 1, in f", "    raise e",
                     "openai.RateLimitError: Error code: 429"] {
            export.log(line, step: 10)
        }
        export.log("INFO:     10.0.0.1:5000 - \"POST /chat/completions HTTP/1.1\" 200 OK")
        export.log("10:00:01 - LiteLLM Proxy:ERROR: b.py:2 - boom\nTraceback (most recent call last):\n  File \"/app/y.py\", line 2, in g\nValueError: bad\n",
                   priority: 3)
        export.log("INFO:     done")
        // Another process (the service restarted): never part of the record before it.
        export.log("  stray indented line", pid: 5000)
        export.log("ERROR: other unit", unit: "other.service")
        try export.write(to: dir)

        var records: [LogRecord] = []
        let stats = try JournalScan(directory: dir.path, units: ["litellm.service"], matches: []).frame { records.append($0) }
        XCTAssertEqual(stats.lines, 12)
        XCTAssertEqual(records.map(\.line), [1, 6, 7, 11, 12])
        XCTAssertEqual(records.map(\.endLine), [5, 6, 10, 11, 12])
        XCTAssertTrue(records[0].string.hasSuffix("raise e\nopenai.RateLimitError: Error code: 429"))
        XCTAssertEqual(records[2].string, "10:00:01 - LiteLLM Proxy:ERROR: b.py:2 - boom\nTraceback (most recent call last):\n  File \"/app/y.py\", line 2, in g\nValueError: bad")
        XCTAssertEqual(records.map(\.source), Array(repeating: "journal", count: 5))
        // The text's own level and time win; the journal's fill the gaps.
        XCTAssertEqual(records[0].timestamp, "10:00:00")
        XCTAssertEqual(records[0].attributes["unit"], "litellm.service")
        XCTAssertEqual(records[4].string, "  stray indented line")
        XCTAssertEqual(records[4].level, "INFO")
        XCTAssertEqual(records[4].timestamp, "2025-07-02T08:00:00.004040Z")
        XCTAssertEqual(records[4].attributes["pid"], "5000")
    }

    func testEachUnitEventIsARecordOfItsOwn() throws {
        var export = JournalExport()
        export.log("10:00:00 - LiteLLM Proxy:ERROR: a.py:1 - boom", priority: 3)
        export.systemd("Stopping litellm.service - LiteLLM Proxy...", unit: "litellm.service",
                       messageID: "de5b426a63be47a7b6ac3eaac82e2f6f", jobType: "stop")
        export.systemd("litellm.service: Deactivated successfully.", unit: "litellm.service",
                       messageID: "7ad2d189f7e94e70a38c781354912448")
        export.systemd("Stopped litellm.service - LiteLLM Proxy.", unit: "litellm.service",
                       messageID: "9d1aaa27d60140bd96365438aad20286", jobType: "stop", jobResult: "done")
        export.systemd("Starting litellm.service - LiteLLM Proxy...", unit: "litellm.service", messageID: Self.starting,
                       jobType: "start")
        try export.write(to: dir)
        var records: [LogRecord] = []
        _ = try JournalScan(directory: dir.path, units: ["litellm.service"], matches: []).frame { records.append($0) }
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 4, 5])
        XCTAssertEqual(records.map { $0.attributes["unit_event"] }, [nil, "stopping", nil, "stopped", "starting"])
        XCTAssertEqual(records[3].attributes["unit_event_unit"], "litellm.service")
    }

    /// Sequence numbers prove it: checkpoints taken at arbitrary lines (inside multi-line
    /// MESSAGEs too), each followed by a fresh source restoring them, give every line once.
    func testCheckpointThenRestoreResumesAtTheNextLineWithNoneLostOrRepeated() throws {
        var export = JournalExport()
        var expected: [String] = []
        for i in 1...60 {
            if i % 7 == 0 {
                export.log("seq=\(i) part=a\nseq=\(i) part=b\nseq=\(i) part=c")
                expected += ["a", "b", "c"].map { "seq=\(i) part=\($0)" }
            } else {
                export.log("seq=\(i)")
                expected.append("seq=\(i)")
            }
            if i % 5 == 0 { export.log("noise seq=\(i)", unit: "other.service") }
        }
        try export.write(to: dir)

        var partial = 0
        for seed in UInt64(1)...4 {
            var random = SplitMix64(seed: seed)
            var seen: [String] = []
            var checkpoint: String?
            var rounds = 0
            while rounds < 300 {
                rounds += 1
                let source: JournalSource
                if let checkpoint {
                    source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [])
                    source.restore(checkpoint)
                    XCTAssertEqual(source.takeEvents().map(\.kind), [.opened, .resumed])
                } else {
                    source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [], fromStart: true)
                }
                var batch: [(String, Int64)] = []
                _ = source.read(maxLines: Int(random.next() % 4) + 1) { line, token, _ in
                    batch.append((String(decoding: line, as: UTF8.self), token))
                }
                if batch.isEmpty { break }
                // The pipeline got as far as some line of the batch, then the process died.
                let done = Int(random.next() % UInt64(batch.count)) + 1
                seen += batch.prefix(done).map(\.0)
                let text = try XCTUnwrap(source.checkpoint(after: batch[done - 1].1))
                XCTAssertTrue(text.hasPrefix("realtime=") && text.contains(" cursor=s="), text)
                if text.contains(" lines=") { partial += 1 }
                checkpoint = text
            }
            XCTAssertEqual(seen, expected, "seed \(seed)")
        }
        XCTAssertGreaterThanOrEqual(partial, 3, "checkpoints inside a multi-line MESSAGE were exercised")
    }

    func testABogusOrVanishedCursorFallsBackToTheTimestampAndSaysSo() throws {
        var export = JournalExport()
        for i in 1...20 { export.log("seq=\(i)") }
        try export.write(to: dir)
        let reader = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [], fromStart: true)
        let lines = drain(reader)
        let real = try XCTUnwrap(reader.checkpoint(after: lines[9].token))
        // Same entry, but another file's seqnum id: what a vacuumed-and-recreated journal gives.
        let vanished = real.replacingOccurrences(of: #"s=[0-9a-f]{32}"#, with: "s=00000000000000000000000000000001",
                                                 options: .regularExpression)
        XCTAssertNotEqual(vanished, real)
        let tenth = export.realtimes[9]
        for (checkpoint, first) in [(vanished, "seq=11"), ("realtime=\(tenth) cursor=bogus", "seq=11"),
                                    ("realtime=\(tenth + 500) cursor=s=1;i=2", "seq=11"),
                                    ("realtime=\(export.realtimes[0] - 1) cursor=nope", "seq=1")] {
            let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [])
            source.restore(checkpoint)
            let events = source.takeEvents()
            XCTAssertEqual(events.map(\.kind), [.opened, .fallback], checkpoint)
            XCTAssertTrue(events.last?.message.contains("no longer exists") == true)
            let texts = drain(source).map(\.text)
            XCTAssertEqual(texts.first, first, checkpoint)
            XCTAssertEqual(texts.last, "seq=20")
            XCTAssertEqual(Set(texts).count, texts.count, "repeated lines after \(checkpoint)")
        }
        // The real cursor still resumes exactly, without a fallback.
        let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [])
        source.restore(real)
        XCTAssertEqual(source.takeEvents().map(\.kind), [.opened, .resumed])
        XCTAssertEqual(drain(source).map(\.text), (11...20).map { "seq=\($0)" })
        // An unreadable checkpoint is reported, not trusted.
        let garbled = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [])
        garbled.restore("garbage")
        XCTAssertEqual(garbled.takeEvents().map(\.kind), [.opened, .error])
    }

    /// Directory mode: a second output file appears next to the first, then both grow; the
    /// wait descriptor wakes each time and nothing is read twice or missed.
    func testDirectoryModeFollowsNewFilesAndAppendsAndTheDescriptorWakes() throws {
        var export = JournalExport()
        for i in 1...5 { export.log("seq=\(i)") }
        try export.write(to: dir, name: "a.journal")
        let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [])
        let fd = try XCTUnwrap(source.waitDescriptor)
        XCTAssertEqual(drain(source).map(\.text), [], "following starts after the newest entry")

        var got: [String] = []
        var next = 6
        for file in ["b.journal", "a.journal", "b.journal"] {
            let batch = (next..<(next + 5)).map { "seq=\($0)" }
            next += 5
            for line in batch { export.log(line) }
            try export.write(to: dir, name: file)
            var arrived: [String] = []
            // A wake only says "maybe": keep waiting until the batch is there (or 20 s pass; a
            // descriptor that stays readable without new lines would spin, and fails here).
            var wakes = 0
            let deadline = Date().addingTimeInterval(20)
            while arrived.count < batch.count, Date() < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 10_000) > 0 else { break }
                wakes += 1
                arrived += drain(source).map(\.text)
            }
            XCTAssertLessThan(wakes, 100, "the descriptor stays readable: sd_journal_process is not consuming it")
            XCTAssertEqual(arrived, batch, "after writing \(file)")
            got += arrived
        }
        XCTAssertEqual(got, (6..<21).map { "seq=\($0)" })
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.journal").path))
        // Everything is consumed: the descriptor is quiet, so a poll loop does not spin.
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 0), 0)
    }

    /// journal-remote's directory can be empty when logwatch starts, or hold only other units:
    /// the first entries of the unit to appear are read from the first one.
    func testAnEmptyDirectoryOrOneWithoutTheUnitIsFollowedFromTheFirstEntry() throws {
        for otherUnitsFirst in [false, true] {
            let sub = dir.appendingPathComponent(otherUnitsFirst ? "others" : "empty")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            var export = JournalExport()
            if otherUnitsFirst {
                for i in 1...3 { export.log("other seq=\(i)", unit: "other.service") }
                try export.write(to: sub, name: "a.journal")
            }
            let source = try JournalSource(directory: sub.path, units: ["litellm.service"], matches: [])
            let fd = try XCTUnwrap(source.waitDescriptor)
            XCTAssertEqual(source.takeEvents().map(\.kind), otherUnitsFirst ? [.opened] : [.opened, .waiting])
            XCTAssertEqual(drain(source).map(\.text), [])
            for i in 1...3 { export.log("seq=\(i)") }
            try export.write(to: sub, name: "b.journal")
            var arrived: [String] = []
            let deadline = Date().addingTimeInterval(20)
            while arrived.count < 3, Date() < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 10_000) > 0 else { break }
                arrived += drain(source).map(\.text)
            }
            XCTAssertEqual(arrived, ["seq=1", "seq=2", "seq=3"], otherUnitsFirst ? "other units first" : "empty directory")
        }
    }

    /// A damaged file beside a good one (a crash mid-write, a partial copy) is skipped.
    func testAGarbageJournalFileInTheDirectoryDoesNotStopReading() throws {
        var export = JournalExport()
        for i in 1...3 { export.log("seq=\(i)") }
        try export.write(to: dir, name: "good.journal")
        var garbage = Data("LPKSHHRH".utf8)
        garbage.append(Data(repeating: 0xAB, count: 4096))
        try garbage.write(to: dir.appendingPathComponent("bad.journal"))
        try Data(try Data(contentsOf: dir.appendingPathComponent("good.journal")).prefix(300))
            .write(to: dir.appendingPathComponent("cut.journal"))
        let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [], fromStart: true)
        XCTAssertEqual(drain(source).map(\.text), ["seq=1", "seq=2", "seq=3"])
        var records: [LogRecord] = []
        let stats = try JournalScan(directory: dir.path, units: ["litellm.service"], matches: []).frame { records.append($0) }
        XCTAssertEqual(stats.lines, 3)
    }

    func testBinaryMessagesKeepTheirBytesAndOversizedEntriesAreCutAndCounted() throws {
        var export = JournalExport()
        let binary: [UInt8] = Array("bad bytes ".utf8) + [0xFF, 0xFE, 0x00, 0x41]
        export.entry([("_SYSTEMD_UNIT", Array("litellm.service".utf8)), ("MESSAGE", binary)])
        export.log(String(repeating: "x", count: 200))
        export.entry([("_SYSTEMD_UNIT", Array("litellm.service".utf8)), ("PRIORITY", Array("3".utf8))])
        export.log("after")
        try export.write(to: dir)
        let source = try JournalSource(directory: dir.path, units: ["litellm.service"], matches: [], fromStart: true,
                                       maxEntryBytes: 64)
        let lines = drain(source)
        XCTAssertEqual(lines.map(\.bytes), [binary, Array(repeating: UInt8(ascii: "x"), count: 64), Array("after".utf8)])
        XCTAssertEqual(source.entriesCut, 1)
        XCTAssertEqual(source.entriesRead, 4, "the entry without MESSAGE is read and gives no line")
    }

    /// These machines run no journald: the system journal still opens (no files is no error),
    /// with a wait descriptor, and starts after its newest entry.
    func testTheSystemJournalOpensWithAWaitDescriptor() throws {
        let source = try JournalSource(directory: nil, units: ["litellm.service"], matches: [])
        XCTAssertEqual(source.key, "journal:litellm.service")
        XCTAssertEqual(try JournalSource(directory: nil, units: ["b.service", "a.service"], matches: []).key,
                       "journal:a.service,b.service")
        XCTAssertEqual(source.label, "journal")
        XCTAssertNotNil(source.waitDescriptor)
        XCTAssertEqual(source.takeEvents().first?.kind, .opened)
    }

    func testTimestampsAreRFC3339UTCWithMicroseconds() {
        XCTAssertEqual(JournalEntryMapping.timestamp(realtimeUsec: 0), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(JournalEntryMapping.timestamp(realtimeUsec: JournalExport.start), "2025-07-02T08:00:00.000000Z")
        XCTAssertEqual(JournalEntryMapping.timestamp(realtimeUsec: 1_709_251_199_999_999), "2024-02-29T23:59:59.999999Z")
        XCTAssertEqual(JournalEntryMapping.timestamp(realtimeUsec: 951_868_800_000_001), "2000-03-01T00:00:00.000001Z")
        XCTAssertEqual(JournalEntryMapping.timestamp(realtimeUsec: 946_643_696_500_000), "1999-12-31T12:34:56.500000Z")
        XCTAssertEqual((0...7).map { JournalEntryMapping.level(priority: String($0)) },
                       ["CRITICAL", "CRITICAL", "CRITICAL", "ERROR", "WARNING", "INFO", "INFO", "DEBUG"])
        XCTAssertNil(JournalEntryMapping.level(priority: "x"))
    }
}

