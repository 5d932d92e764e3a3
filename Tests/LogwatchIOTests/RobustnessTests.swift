import AsyncHTTPClient
import Foundation
import Logging
import LogwatchCore
@testable import LogwatchIO
import TestSupport
import XCTest

/// Issue 15 at the level of the parts: compressed rotations decoded by the system libraries,
/// sources positioned before readiness, time from a clock that wall-clock steps cannot move, and
/// delivery that one stop or one reload never sends twice at once. Real files, real
/// compression tools, real HTTP receivers on 127.0.0.1, a real SQLite outbox; waits are on what
/// the parts report, with generous limits that only guard against hanging.
final class RobustnessTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "logwatch-robust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let sample = Repository.path("Samples/litellm-proxy.log")
    static let authLine = "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.\n"

    /// Runs a shell pipeline (the real compression tools); fails the test if it fails.
    func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, command)
    }

    static let tools: [(Decompressor.Format, String)] = [(.gzip, "gzip -c"), (.bzip2, "bzip2 -c"), (.xz, "xz -c"), (.zstd, "zstd -q -c")]

    func records(_ path: String) throws -> [String] {
        var out: [String] = []
        _ = try FileReader.frame(path: path, source: "s") { record in
            out.append("\(record.line)-\(record.endLine): \(String(decoding: record.text, as: UTF8.self))")
        }
        return out
    }

    // MARK: Compressed rotations

    func testEachCompressedCopyFramesToTheSameRecordsAsTheSampleWhateverItsName() throws {
        let plain = try records(Self.sample)
        XCTAssertGreaterThan(plain.count, 10)
        for (format, tool) in Self.tools {
            // Named without a suffix, as logrotate's `delaycompress` neighbours can be: the magic decides.
            let copy = directory + "/litellm.log.\(format.rawValue).1"
            try shell("\(tool) '\(Self.sample)' > '\(copy)'")
            XCTAssertEqual(FileReader.compression(ofFileAt: copy), format)
            XCTAssertEqual(try records(copy), plain, "\(format) copy")
        }
        XCTAssertNil(FileReader.compression(ofFileAt: Self.sample))
    }

    func testConcatenatedStreamsAreReadToTheEnd() throws {
        let plain = try String(contentsOfFile: Self.sample, encoding: .utf8)
        for (format, tool) in Self.tools {
            let copy = directory + "/twice.\(format.rawValue)"
            try shell("(\(tool) '\(Self.sample)'; \(tool) '\(Self.sample)') > '\(copy)'")
            var text: [UInt8] = []
            try FileReader.readBlocks(path: copy) { text += $0 }
            XCTAssertEqual(String(decoding: text, as: UTF8.self), plain + plain, "\(format)")
        }
    }

    func testACorruptOrTruncatedFileIsAnErrorNamingThePathNeverAnEmptyRead() throws {
        for (format, tool) in Self.tools {
            let truncated = directory + "/truncated.\(format.rawValue)"
            try shell("\(tool) '\(Self.sample)' | head -c 1000 > '\(truncated)'")
            XCTAssertThrowsError(try records(truncated), "\(format) truncated") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(truncated) && text.contains(format.rawValue), text)
            }
            let corrupt = directory + "/corrupt.\(format.rawValue)"
            try shell("\(tool) '\(Self.sample)' > '\(corrupt)'")
            // Flip bytes in the middle of the compressed data (past every header).
            let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: corrupt))
            try handle.seek(toOffset: 200)
            try handle.write(contentsOf: Data(repeating: 0x55, count: 64))
            try handle.close()
            XCTAssertThrowsError(try records(corrupt), "\(format) corrupt") { error in
                XCTAssertTrue("\(error)".contains(corrupt), "\(error)")
            }
        }
    }

    /// `--follow` with a pattern: a compressed generation that appears is decoded and read whole
    /// (a plain follower would have read its compressed bytes as garbage).
    func testAFollowedPatternReadsACompressedGenerationThatAppears() async throws {
        let events = Events()
        var handler = Pipeline.Handler()
        handler.classified = { classification, now in events.add(classification.ruleID, at: now) }
        handler.event = { event in events.add("event: \(event)", at: 0) }
        var configuration = Pipeline.Configuration()
        configuration.globInterval = 0.05
        let pipeline = try Pipeline(ruleSet: RuleDirectory.load([]).ruleSet, store: nil, configuration: configuration,
                                    handler: handler)
        try pipeline.attach(.file(.init(paths: [directory + "/litellm.log*"], from: .end)))
        let box = UncheckedSendable(pipeline)
        let thread = Thread { box.value.run() }
        thread.start()
        defer { pipeline.stop() }
        try (Self.authLine + Self.authLine).write(toFile: directory + "/plain", atomically: false, encoding: .utf8)
        try shell("gzip -c '\(directory)/plain' > '\(directory)/.tmp' && mv '\(directory)/.tmp' '\(directory)/litellm.log.2.gz'")
        let read = await events.waitFor { list in list.filter { !$0.0.hasPrefix("event") }.count >= 2 }
        XCTAssertTrue(read, "both records of the compressed generation were read")
        let rules = events.names.filter { !$0.hasPrefix("event") }
        XCTAssertEqual(rules.count, 2, "\(events.names)")
        XCTAssertEqual(Set(rules).count, 1, "the same error twice: \(rules)")
    }

    // MARK: Readiness

    /// READY=1 comes after `attach` returns: a line written in between must be read. (Before,
    /// files were opened at their end by the first read, after READY=1.)
    func testALineWrittenRightAfterAFileIsAttachedIsRead() throws {
        let path = directory + "/proxy.log"
        try "an old line that must not be read\n".write(toFile: path, atomically: false, encoding: .utf8)
        var classified: [String] = []
        var handler = Pipeline.Handler()
        handler.classified = { classification, _ in classified.append(classification.ruleID) }
        let pipeline = try Pipeline(ruleSet: RuleDirectory.load([]).ruleSet, store: nil, handler: handler)
        try pipeline.attach(.file(.init(paths: [path], from: .end)))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(Self.authLine.utf8))
        try handle.close()
        pipeline.stop()  // one turn: read what is there, flush, checkpoint, return
        pipeline.run()
        XCTAssertEqual(classified.count, 1, "the line written after attach was read, the old one was not")
    }

    // MARK: Clock steps

    /// A clock the test moves: the monotonic source, and a wall clock that steps.
    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var monotonicValue = 1_000.0
        /// An hour ahead of the real wall clock: a part that read `Date()` instead of the clock it
        /// was given would see every notice due an hour late and never reach the loop's targets.
        private var wallValue = Date().timeIntervalSince1970 + 3_600

        var monotonic: Double { lock.withLock { monotonicValue } }
        var wall: Double { lock.withLock { wallValue } }
        func advance(_ seconds: Double) { lock.withLock { monotonicValue += seconds; wallValue += seconds } }
        func stepWall(_ seconds: Double) { lock.withLock { wallValue += seconds } }
    }

    /// The daemon's time under NTP steps: the wall clock steps back 60 s, then forward 1 h. The
    /// pipeline's every `now` (watchdog pings, checkpoints, the book's group and resolve timers)
    /// and the delivery worker's retry times come from `ServiceClock`, so: a ping every watchdog
    /// interval through both steps, no resolve before resolve_after of real quiet, and a notice
    /// due now is sent at once after the step back (not an hour or 60 s later).
    func testWallClockStepsMoveNoIntervalAndFreezeNoDelivery() async throws {
        let time = TestClock()
        let clock = ServiceClock(wall: { time.wall }, monotonic: { time.monotonic })
        var policy = IncidentBook.Policy()
        policy.groupWait = 0
        policy.resolveAfter = 30
        let events = Events()
        var book = IncidentBook(policy: policy)
        var handler = Pipeline.Handler()
        handler.classified = { classification, now in
            _ = book.add(classification, time: now)
            events.add("classified", at: now)
        }
        handler.checkpoint = { now, _ in
            for notice in book.advance(to: now) { events.add(notice.kind.rawValue, at: now) }
            return StateStore.Checkpoint()
        }
        // The watchdog as SystemdNotifier keeps it: a ping when half the period has passed.
        var lastPing = -Double.infinity
        handler.heartbeat = { now in
            if now - lastPing >= 5 {
                lastPing = now
                events.add("ping", at: now)
            }
            events.turn(at: now)  // after the ping: a test that saw this turn sees its ping
        }
        var configuration = Pipeline.Configuration()
        configuration.clock = clock
        configuration.checkpointInterval = 1
        let path = directory + "/proxy.log"
        FileManager.default.createFile(atPath: path, contents: nil)
        let pipeline = try Pipeline(ruleSet: RuleDirectory.load([]).ruleSet, store: nil, configuration: configuration,
                                    handler: handler)
        try pipeline.attach(.file(.init(paths: [path], from: .end)))
        let box = UncheckedSendable(pipeline)
        let thread = Thread { box.value.run() }
        thread.start()
        defer { pipeline.stop() }

        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.write(Data(Self.authLine.utf8))
        try handle.close()
        // Time moves only when the test moves it (the idle end of the record too): half a second
        // at a time, each step waited for, until the line was classified.
        for _ in 0..<40 where events.count("classified") == 0 {
            time.advance(0.5)
            let target = clock.now()
            let seen = await events.waitFor { _ in events.lastTurn >= target }
            XCTAssertTrue(seen)
        }
        let classifiedAt = try XCTUnwrap(events.first("classified"), "the line was read")
        time.advance(1)  // the next checkpoint: group_wait 0 has passed
        let fired = await events.waitFor { $0.contains { $0.0 == "firing" } }
        XCTAssertTrue(fired)
        let pings = events.count("ping")
        // 35 s of service time in 5 s steps, the wall stepping back 60 s and forward 1 h on the way.
        for step in 1...7 {
            if step == 2 { time.stepWall(-60) }
            if step == 4 { time.stepWall(3_600) }
            time.advance(5)
            let target = clock.now()
            let seen = await events.waitFor { _ in events.lastTurn >= target }
            XCTAssertTrue(seen, "the loop saw service time \(target)")
            XCTAssertEqual(events.count("ping"), pings + step, "one ping per 5 s of real time at step \(step)")
            if target - classifiedAt < 30 {
                XCTAssertEqual(events.count("resolved"), 0, "no resolve before 30 s of quiet (step \(step))")
            }
        }
        time.advance(1)
        let resolved = await events.waitFor { $0.contains { $0.0 == "resolved" } }
        XCTAssertTrue(resolved, "resolved once 30 s of quiet passed")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(events.first("resolved")) - classifiedAt, 30)

        // Delivery after the steps: a notice committed now is due now and is sent at once.
        let store = try StateStore(directory: directory + "/state")
        let receiver = try TestReceiver()
        defer { receiver.close() }
        try store.commit(.init(notices: [.init(sink: "hook", notice: "n", kind: "firing", contentType: "application/json",
                                               body: Array("{}".utf8))]), now: clock.now())
        let client = WebhookSink.makeClient()
        let worker = DeliveryWorker(sink: WebhookSink(configuration: .init(name: "hook", url: receiver.url, format: "generic",
                                                                            timeout: 30), client: client),
                                    store: store, logger: Logger(label: "test"), now: { clock.now() }, idleCheck: 3_600)
        worker.start()
        let delivered = await receiver.waitFor(1)
        XCTAssertTrue(delivered, "not frozen by the wall clock's step back")
        await worker.stop(deadline: .now + .seconds(5))
        try await client.shutdown()
    }

    /// What the pipeline's callbacks saw, for a test thread to wait on.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [(String, Double)] = []
        private var turn = -Double.infinity

        func add(_ name: String, at time: Double) { lock.withLock { list.append((name, time)) } }
        func turn(at time: Double) { lock.withLock { turn = max(turn, time) } }
        var lastTurn: Double { lock.withLock { turn } }
        func count(_ name: String) -> Int { lock.withLock { list.filter { $0.0 == name }.count } }
        var names: [String] { lock.withLock { list.map(\.0) } }
        func first(_ name: String) -> Double? { lock.withLock { list.first { $0.0 == name }?.1 } }

        func waitFor(_ condition: @escaping ([(String, Double)]) -> Bool) async -> Bool {
            let end = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < end {
                if condition(lock.withLock { list }) { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return condition(lock.withLock { list })
        }
    }

    // MARK: Stop and reload

    func notices(_ range: Range<Int>, sink: String = "hook") -> [StateStore.NewNotice] {
        range.map { n in
            StateStore.NewNotice(sink: sink, notice: "n-\(n)", kind: "firing", contentType: "application/json",
                                 body: Array("{\"n\":\(n)}".utf8))
        }
    }

    /// At most one request at a time reached the receiver: no two arrivals before an answer.
    func maxConcurrency(_ requests: [TestReceiver.Request], delay: Double) -> Int {
        var most = 0
        for request in requests {
            let overlapping = requests.filter { other in
                other.arrival <= request.arrival && request.arrival < other.arrival + .milliseconds(Int(delay * 1000) - 20)
            }
            most = max(most, overlapping.count)
        }
        return most
    }

    /// SIGTERM's path: the worker is stopped with the stop deadline while a slow receiver answers.
    /// The request in flight finishes, the notices due are still sent one at a time, and those
    /// that the deadline leaves stay in the outbox for the next run, which sends each once.
    func testStopLetsTheRequestInFlightFinishAndKeepsTheRestForTheNextRun() async throws {
        let delay = 0.3
        let receiver = try TestReceiver { _, _ in .init(delay: delay) }
        defer { receiver.close() }
        let client = WebhookSink.makeClient()
        let sink = WebhookSink(configuration: .init(name: "hook", url: receiver.url, format: "generic", timeout: 30), client: client)
        var firstRun = 0
        do {
            let store = try StateStore(directory: directory)
            try store.commit(.init(notices: notices(0..<10)), now: ServiceClock.standard.now())
            let worker = DeliveryWorker(sink: sink, store: store, logger: Logger(label: "test"))
            worker.start()
            let inFlight = await receiver.waitFor(1)
            XCTAssertTrue(inFlight)
            // Room for the one in flight and a few more; 10 at 0.3 s each cannot all fit.
            await worker.stop(deadline: .now + .seconds(1))
            firstRun = receiver.requests.count
            let sent = worker.counters.delivered
            XCTAssertGreaterThanOrEqual(sent, 1, "the request in flight finished")
            XCTAssertLessThan(sent, 10)
            XCTAssertEqual(try store.depth() + sent, 10, "nothing lost: what was not sent is queued")
        }
        let store = try StateStore(directory: directory)
        let next = DeliveryWorker(sink: sink, store: store, logger: Logger(label: "test"))
        next.start()
        let drained = await eventually { (try? store.depth()) == 0 }
        XCTAssertTrue(drained)
        await next.stop(deadline: .now + .seconds(30))
        let bodies = receiver.requests.map(\.text)
        var once: [String] = []
        for body in bodies where once.last != body { once.append(body) }
        XCTAssertEqual(once, (0..<10).map { "{\"n\":\($0)}" }, "every notice arrived, in order")
        // At-least-once: only a request the deadline cut off is sent again, right after, by the next run.
        XCTAssertLessThanOrEqual(bodies.count, 11)
        // Within each run one request at a time (a request the deadline abandoned is still being
        // answered when the next run starts: that overlap is the next process, not a second worker).
        XCTAssertEqual(maxConcurrency(Array(receiver.requests[..<firstRun]), delay: delay), 1, "never two at once")
        XCTAssertEqual(maxConcurrency(Array(receiver.requests[firstRun...]), delay: delay), 1, "never two at once")
        try await client.shutdown()
    }

    /// A reload that changes a sink replaces its worker: the new one starts only once the old
    /// one has ended, so the same outbox rows are never sent by two workers at once.
    func testAReloadThatChangesASinkNeverRunsTwoWorkersOnIt() throws {
        let delay = 0.2
        let receiver = try TestReceiver { _, _ in .init(delay: delay) }
        defer { receiver.close() }
        var config = LogwatchConfig()
        config.stateDirectory = directory + "/state"
        config.http.listen = nil
        config.sinks = [LogwatchConfig.Sink(name: "hook", kind: .generic, endpoint: .url(receiver.url), url: receiver.url)]
        let ruleSet = try RuleDirectory.load([]).ruleSet
        let daemon = try Daemon(loaded: .init(config: config, specs: [], ruleSet: ruleSet),
                                options: .init(configPath: nil, version: "test", host: "test"), logger: Logger(label: "test"))
        try daemon.store.commit(.init(notices: notices(0..<8)), now: ServiceClock.standard.now())
        daemon.senders.start(config.sinks)
        XCTAssertTrue(waitUntil { receiver.requests.count >= 1 })
        // Reload twice with a changed sink while requests are in flight.
        for timeout in [20_000, 25_000] {
            var next = config
            next.sinks[0].timeout = .init(milliseconds: timeout)
            daemon.apply(.init(config: next, specs: [], ruleSet: ruleSet))
        }
        XCTAssertTrue(waitUntil { receiver.requests.count >= 8 })
        XCTAssertTrue(waitUntil { (try? daemon.store.depth()) == 0 })
        XCTAssertEqual(maxConcurrency(receiver.requests, delay: delay), 1, "one worker per sink at any moment")
        XCTAssertEqual(receiver.requests.map(\.text), (0..<8).map { "{\"n\":\($0)}" }, "each once, in order")
        daemon.stopServices()
    }


    func waitUntil(_ condition: () -> Bool) -> Bool {
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func eventually(_ condition: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
