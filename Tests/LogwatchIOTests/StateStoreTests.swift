import Foundation
import LogwatchIO
import XCTest

final class StateStoreTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "logwatch-state-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func notice(_ n: Int, sink: String = "slack") -> StateStore.NewNotice {
        StateStore.NewNotice(sink: sink, notice: "n-\(n)", kind: "firing", contentType: "application/json",
                             body: Array("{\"n\":\(n)}".utf8))
    }

    func testPositionsNoticesAndValuesSurviveReopening() throws {
        do {
            let store = try StateStore(directory: directory)
            try store.commit(.init(positions: ["file:/a": "1 x"], notices: [notice(1), notice(2, sink: "am")],
                                   values: ["book": [1, 2, 3]]), now: 100)
            try store.commit(.init(positions: ["file:/a": "2 y", "journal:u": "c"]), now: 101)
        }
        let store = try StateStore(directory: directory)
        XCTAssertEqual(try store.positions(), ["file:/a": "2 y", "journal:u": "c"])
        XCTAssertEqual(try store.value("book"), [1, 2, 3])
        XCTAssertEqual(try store.depth(), 2)
        let due = try store.due(sink: "slack", now: 100)
        XCTAssertEqual(due.map(\.notice.notice), ["n-1"])
        XCTAssertEqual(due.first?.notice.body, Array("{\"n\":1}".utf8))
    }

    func testRetryPostponesAndDeliveredRemoves() throws {
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: [notice(1), notice(2)]), now: 10)
        let first = try XCTUnwrap(store.due(sink: "slack", now: 10).first)
        try store.retry(first.id, attempts: 1, at: 20, error: "HTTP 503")
        XCTAssertEqual(try store.due(sink: "slack", now: 15).map(\.notice.notice), ["n-2"])
        XCTAssertEqual(try store.nextDue(sink: "slack"), 10)
        let again = try store.due(sink: "slack", now: 20)
        XCTAssertEqual(again.map(\.attempts), [1, 0])
        XCTAssertEqual(again.first?.lastError, "HTTP 503")
        for item in again { try store.delivered(item.id) }
        XCTAssertEqual(try store.depth(), 0)
        XCTAssertNil(try store.nextDue(sink: "slack"))
    }

    func testOldestIsTheHeadOfTheSinksQueueEvenWhenItIsNotDue() throws {
        let store = try StateStore(directory: directory)
        try store.commit(.init(notices: [notice(1), notice(2, sink: "am"), notice(3)]), now: 10)
        let head = try XCTUnwrap(store.oldest(sink: "slack"))
        XCTAssertEqual(head.notice.notice, "n-1")
        try store.retry(head.id, attempts: 1, at: 99, error: "HTTP 503")
        // due() would hand out n-3 first; the worker keeps order by waiting for the head.
        XCTAssertEqual(try store.due(sink: "slack", now: 20).map(\.notice.notice), ["n-3"])
        XCTAssertEqual(try store.oldest(sink: "slack")?.notice.notice, "n-1")
        XCTAssertEqual(try store.oldest(sink: "slack")?.nextAttempt, 99)
        XCTAssertEqual(try store.oldest(sink: "am")?.notice.notice, "n-2")
        XCTAssertNil(try store.oldest(sink: "teams"))
    }

    func testOutboxIsBoundedOldestDroppedAndCountedOnce() throws {
        let store = try StateStore(directory: directory, outboxLimit: 5)
        var dropped = 0
        for n in 0..<8 { dropped += try store.commit(.init(notices: [notice(n)]), now: Double(n)) }
        XCTAssertEqual(dropped, 3)
        XCTAssertEqual(try store.depth(), 5)
        XCTAssertEqual(try store.due(sink: "slack", now: 100, limit: 10).map(\.notice.notice), (3..<8).map { "n-\($0)" })
        XCTAssertEqual(try store.takeDropped(sink: "slack"), 3)
        XCTAssertEqual(try store.takeDropped(sink: "slack"), 0)
    }

    func testADamagedStateFileIsAClearErrorNotAReset() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/state.sqlite"
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try StateStore(directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("damaged"), "\(error)")
        }
        // The damaged file is left for the operator to inspect, not overwritten.
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).first, 0x41)
    }

    func testAnUnwritableDirectoryIsAClearError() throws {
        guard getuid() != 0 else {
            // root writes anywhere; use a path below a regular file instead.
            let file = directory + "-file"
            FileManager.default.createFile(atPath: file, contents: Data())
            defer { try? FileManager.default.removeItem(atPath: file) }
            XCTAssertThrowsError(try StateStore(directory: file + "/state")) { error in
                XCTAssertTrue("\(error)".contains("not writable"), "\(error)")
            }
            return
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o500)
        defer { chmod(directory, 0o700) }
        XCTAssertThrowsError(try StateStore(directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("not writable"), "\(error)")
        }
    }
}
