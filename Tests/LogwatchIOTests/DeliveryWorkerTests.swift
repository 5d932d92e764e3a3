import AsyncHTTPClient
import Foundation
import InMemoryLogging
import Logging
import LogwatchIO
import XCTest

/// The outbox worker against real HTTP receivers on 127.0.0.1 and a real SQLite state store.
/// Waits poll with a generous limit that only guards against hanging; no assertion depends on
/// the machine being fast.
final class DeliveryWorkerTests: XCTestCase {
    var directory = ""
    var client: HTTPClient!
    var receivers: [TestReceiver] = []
    var workers: [DeliveryWorker] = []
    let logs = InMemoryLogHandler()

    /// Retries come quickly so the tests are short; the calculation itself is tested apart.
    let quickRetry = WebhookSink.Configuration.Retry(baseDelay: 0.05, maxDelay: 0.2, jitter: 1)

    override func setUp() {
        directory = NSTemporaryDirectory() + "logwatch-delivery-\(UUID().uuidString)"
        client = WebhookSink.makeClient()
    }

    override func tearDown() async throws {
        for worker in workers { await worker.stop(deadline: .now) }
        for receiver in receivers { receiver.close() }
        try await client.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var logger: Logger {
        var logger = Logger(label: "delivery-test") { [logs] _ in logs }
        logger.logLevel = .trace
        return logger
    }

    func receiver(port: Int = 0, script: @escaping TestReceiver.Script = { _, _ in .init() }) throws -> TestReceiver {
        let receiver = try TestReceiver(port: port, script: script)
        receivers.append(receiver)
        return receiver
    }

    func worker(_ name: String, url: String, store: StateStore, timeout: Double = 30,
                retry: WebhookSink.Configuration.Retry? = nil) -> DeliveryWorker {
        let sink = WebhookSink(configuration: .init(name: name, url: url, format: "generic", timeout: timeout,
                                                    retry: retry ?? quickRetry), client: client)
        let worker = DeliveryWorker(sink: sink, store: store, logger: logger, idleCheck: 0.5)
        workers.append(worker)
        return worker
    }

    func notices(_ range: Range<Int>, sink: String) -> [StateStore.NewNotice] {
        range.map { n in
            StateStore.NewNotice(sink: sink, notice: "n-\(n)", kind: "firing", contentType: "application/json",
                                 body: Array("{\"n\":\(n)}".utf8))
        }
    }

    func eventually(_ limit: Double = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(limit * 1000))
        while ContinuousClock.now < end {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    func now() -> Double { Date().timeIntervalSince1970 }

    /// Every log line, message and metadata, as one text to search for leaks.
    var logText: String {
        logs.entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n")
    }

    // MARK: Retries

    func testTwo500sThenSuccessDeliversOnceAndCountsTheAttempts() async throws {
        let receiver = try receiver { index, _ in index < 2 ? .init(status: 500, body: "boom") : .init(status: 200) }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        let worker = worker("hook", url: receiver.url + "/hook", store: store)
        worker.start()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        await worker.stop(deadline: .now + .seconds(5))
        XCTAssertEqual(receiver.requests.count, 3)
        XCTAssertEqual(Set(receiver.requests.map(\.text)), ["{\"n\":0}"])
        XCTAssertEqual(receiver.requests.map(\.path), ["/hook", "/hook", "/hook"])
        XCTAssertEqual(receiver.requests.first?.contentType, "application/json")
        XCTAssertEqual(worker.counters, counters(delivered: 1, failed: 2, retried: 2))
        XCTAssertEqual(logs.entries.filter { $0.level == .warning }.count, 2)
        XCTAssertFalse(logText.contains(receiver.url + "/hook"), logText)
    }

    func testAReceiverSlowerThanTheTimeoutIsRetried() async throws {
        let receiver = try receiver { index, _ in index == 0 ? .init(delay: 3) : .init() }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        let worker = worker("hook", url: receiver.url, store: store, timeout: 0.3)
        worker.start()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        XCTAssertEqual(receiver.requests.count, 2)
        XCTAssertEqual(worker.counters, counters(delivered: 1, failed: 1, retried: 1))
        XCTAssertEqual(logs.entries.first { $0.level == .warning }?.metadata["error"], "timed out after 0.3 s")
    }

    func test429RetryAfterOneSecondIsWaitedFor() async throws {
        let receiver = try receiver { index, _ in
            index == 0 ? .init(status: 429, headers: ["Retry-After": "1"], body: "slow down") : .init()
        }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        let worker = worker("hook", url: receiver.url, store: store)
        worker.start()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        let arrivals = receiver.requests.map(\.arrival)
        XCTAssertEqual(arrivals.count, 2)
        // Lower bound only: a busy machine may wait longer, never shorter.
        XCTAssertGreaterThanOrEqual(arrivals[1] - arrivals[0], .seconds(1))
        XCTAssertEqual(worker.counters, counters(delivered: 1, failed: 1, retried: 1))
        XCTAssertTrue(logs.entries.contains { $0.metadata["retry.after"] == "1.0" }, logText)
    }

    func testConnectionRefusedUntilTheReceiverAppearsThenDelivered() async throws {
        let port = try TestReceiver.freePort()
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<2, sink: "hook")), now: now())
        let worker = worker("hook", url: "http://127.0.0.1:\(port)/late", store: store)
        worker.start()
        let failedTwice = await eventually { worker.counters.failed >= 2 }
        XCTAssertTrue(failedTwice)
        XCTAssertEqual(try store.depth(), 2, "nothing leaves the outbox while nobody listens")
        let receiver = try receiver(port: port)
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        XCTAssertEqual(receiver.requests.map(\.text), ["{\"n\":0}", "{\"n\":1}"])
        XCTAssertEqual(worker.counters.delivered, 2)
        XCTAssertEqual(worker.counters.discarded, 0)
        XCTAssertFalse(logText.contains("/late"), "the webhook path must never be logged")
        XCTAssertEqual(logs.entries.first { $0.level == .warning }?.metadata["error"], "connection failed: Connection refused")
    }

    func testA400IsDiscardedCountedAndLoggedRedactedWithoutTheURL() async throws {
        let refusal = "invalid_payload: key sk-abcdefghijklmnop1234 " + String(repeating: "x", count: 2_000)
        let receiver = try receiver { _, _ in .init(status: 400, body: refusal) }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<1, sink: "chat")), now: now())
        let worker = worker("chat", url: receiver.url + "/services/T0/B0/SECRETWEBHOOKTOKEN", store: store)
        worker.start()
        let discarded = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(discarded)
        // Stopping waits for the worker to finish its bookkeeping and logging.
        await worker.stop(deadline: .now + .seconds(5))
        XCTAssertEqual(receiver.requests.count, 1, "a permanent refusal is not retried")
        XCTAssertEqual(worker.counters, counters(failed: 1, discarded: 1))
        let line = try XCTUnwrap(logs.entries.first { $0.level == .error }, logText)
        XCTAssertEqual(line.metadata["http.status"], "400")
        XCTAssertEqual(line.metadata["sink"], "chat")
        XCTAssertEqual(line.metadata["sink.host"], "\(receiver.url)/…")
        let body = try XCTUnwrap(line.metadata["http.body"]).description
        XCTAssertTrue(body.hasPrefix("invalid_payload: key sk-****1234"), body)
        XCTAssertLessThanOrEqual(body.count, WebhookSink.bodyExcerptLimit + 1)
        XCTAssertFalse(logText.contains("SECRETWEBHOOKTOKEN"))
        XCTAssertFalse(logText.contains("abcdefghijklmnop1234"))
    }

    func testGivingUpAfterMaxAttemptsDiscardsAndCounts() async throws {
        let receiver = try receiver { _, _ in .init(status: 503) }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        let retry = WebhookSink.Configuration.Retry(baseDelay: 0.01, maxDelay: 0.05, maxAttempts: 3)
        let worker = worker("hook", url: receiver.url, store: store, retry: retry)
        worker.start()
        let discarded = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(discarded)
        await worker.stop(deadline: .now + .seconds(5))
        XCTAssertEqual(receiver.requests.count, 3)
        XCTAssertEqual(worker.counters, counters(failed: 3, retried: 2, discarded: 1))
        XCTAssertTrue(logText.contains("failed too often or for too long"), logText)
    }

    // MARK: Isolation and order

    func testAHangingReceiverDoesNotHoldUpAnotherSink() async throws {
        let slow = try receiver { _, _ in .init(hold: true) }
        let fast = try receiver()
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<3, sink: "slow") + notices(0..<5, sink: "fast")), now: now())
        let slowWorker = worker("slow", url: slow.url, store: store, timeout: 600)
        let fastWorker = worker("fast", url: fast.url, store: store)
        slowWorker.start()
        let slowBusy = await slow.waitFor(1)
        XCTAssertTrue(slowBusy)
        fastWorker.start()
        let fastDone = try await eventually { try store.depth(sink: "fast") == 0 }
        XCTAssertTrue(fastDone)
        XCTAssertEqual(fast.requests.count, 5)
        // The slow sink is still stuck on its first notice, one request in flight, none behind it.
        XCTAssertEqual(slow.requests.count, 1)
        XCTAssertEqual(slowWorker.counters.delivered, 0)
        XCTAssertEqual(try store.depth(sink: "slow"), 3)
        slow.release()
        let slowDone = try await eventually {
            slow.release()
            return try store.depth(sink: "slow") == 0
        }
        XCTAssertTrue(slowDone)
    }

    func testOrderIsKeptWhenTheFirstNoticeNeedsARetry() async throws {
        let receiver = try receiver { index, _ in index == 0 ? .init(status: 503) : .init() }
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: notices(0..<5, sink: "hook")), now: now())
        let worker = worker("hook", url: receiver.url, store: store)
        worker.start()
        // New notices committed while the first waits for its retry still queue behind it.
        try store.commit(.init(notices: notices(5..<8, sink: "hook")), now: now())
        worker.wake()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        let bodies = receiver.requests.map(\.text)
        XCTAssertEqual(bodies.first, "{\"n\":0}")
        XCTAssertEqual(Array(bodies.dropFirst()), (0..<8).map { "{\"n\":\($0)}" })
    }

    func testWakeSendsANewNoticeWithoutWaitingForTheIdleCheck() async throws {
        let receiver = try receiver()
        let store = try StateStore(directory: directory)
        let sink = WebhookSink(configuration: .init(name: "hook", url: receiver.url, retry: quickRetry), client: client)
        // An hour-long idle check: only wake() can make this worker look at the outbox again.
        let worker = DeliveryWorker(sink: sink, store: store, logger: logger, idleCheck: 3_600)
        workers.append(worker)
        worker.start()
        try await Task.sleep(for: .milliseconds(100))
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        worker.wake()
        let arrived = await receiver.waitFor(1)
        XCTAssertTrue(arrived)
    }

    // MARK: Durability

    func testStopMidOutageThenANewProcessDeliversEveryNotice() async throws {
        let port = try TestReceiver.freePort()
        do {
            let store = try StateStore(directory: directory)
            try store.commit(.init(notices: notices(0..<5, sink: "hook")), now: now())
            let first = worker("hook", url: "http://127.0.0.1:\(port)", store: store)
            first.start()
            let failing = await eventually { first.counters.failed >= 1 }
            XCTAssertTrue(failing)
            await first.stop(deadline: .now + .seconds(1))
            XCTAssertEqual(first.counters.delivered, 0)
            // No close, no flush: the state store is simply dropped, as a killed process would.
        }
        let receiver = try receiver(port: port)
        let store = try StateStore(directory: directory)
        XCTAssertEqual(try store.depth(), 5)
        let second = worker("hook", url: "http://127.0.0.1:\(port)", store: store)
        second.start()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        XCTAssertEqual(receiver.requests.map(\.text), (0..<5).map { "{\"n\":\($0)}" })
    }

    func testARequestAbandonedAtTheStopDeadlineIsSentAgainByTheNextWorker() async throws {
        // The first request hangs; the worker is stopped with a short deadline while it is in flight.
        let receiver = try receiver { index, _ in index == 0 ? .init(hold: true) : .init() }
        do {
            let store = try StateStore(directory: directory)
            try store.commit(.init(notices: notices(0..<3, sink: "hook")), now: now())
            let first = worker("hook", url: receiver.url, store: store)
            first.start()
            let inFlight = await receiver.waitFor(1)
            XCTAssertTrue(inFlight)
            await first.stop(deadline: .now + .milliseconds(200))
            XCTAssertEqual(first.counters, counters(), "our own stop is not a delivery failure")
            XCTAssertEqual(try store.depth(), 3)
            XCTAssertEqual(try store.oldest(sink: "hook")?.attempts, 0)
        }
        let store = try StateStore(directory: directory)
        let second = worker("hook", url: receiver.url, store: store)
        second.start()
        let drained = try await eventually { try store.depth() == 0 }
        XCTAssertTrue(drained)
        // At-least-once: the abandoned notice arrived twice, every other once, in order.
        XCTAssertEqual(receiver.requests.map(\.text), ["{\"n\":0}", "{\"n\":0}", "{\"n\":1}", "{\"n\":2}"])
        receiver.release()
    }

    func testAStoppedWorkerSendsNothingEvenWhenWokenOrStartedAgain() async throws {
        let receiver = try receiver()
        let store = try StateStore(directory: directory)
        let worker = worker("hook", url: receiver.url, store: store)
        worker.start()
        await worker.stop(deadline: .now + .seconds(30))
        try store.commit(.init(notices: notices(0..<1, sink: "hook")), now: now())
        worker.wake()
        worker.start()
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(receiver.requests.count, 0)
        XCTAssertEqual(try store.depth(), 1)
    }

    func counters(delivered: Int = 0, failed: Int = 0, retried: Int = 0, discarded: Int = 0) -> DeliveryWorker.Counters {
        var counters = DeliveryWorker.Counters()
        counters.delivered = delivered
        counters.failed = failed
        counters.retried = retried
        counters.discarded = discarded
        return counters
    }
}
