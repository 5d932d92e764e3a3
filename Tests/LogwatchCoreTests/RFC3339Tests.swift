import XCTest
@testable import LogwatchCore

final class RFC3339Tests: XCTestCase {
    func testFormatsUTCDatesIncludingLeapDaysAndFractions() {
        XCTAssertEqual(RFC3339.format(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(RFC3339.format(1_764_000_000), "2025-11-24T16:00:00Z")
        XCTAssertEqual(RFC3339.format(951_782_400), "2000-02-29T00:00:00Z")
        XCTAssertEqual(RFC3339.format(4_107_542_399), "2100-02-28T23:59:59Z")
        XCTAssertEqual(RFC3339.format(1_764_000_000.5), "2025-11-24T16:00:00.500Z")
        XCTAssertEqual(RFC3339.format(1_764_000_000.123), "2025-11-24T16:00:00.123Z")
        XCTAssertEqual(RFC3339.format(-1), "1969-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339.format(.nan), "1970-01-01T00:00:00Z", "never crashes on bad input")
    }

    func testAgreesWithFoundationOverManyDays() {
        let formatter = ISO8601DateFormatter()
        for day in stride(from: -800, to: 60_000, by: 37) {
            let seconds = Double(day) * 86_400 + 12_345
            XCTAssertEqual(RFC3339.format(seconds), formatter.string(from: Date(timeIntervalSince1970: seconds)))
        }
    }

    func testClippingKeepsCharactersWholeAndCountsUTF16() {
        let text = String(repeating: "👍🏽", count: 10)  // 4 UTF-16 units each
        let clipped = text.clipped(to: 11, marker: "…")
        XCTAssertEqual(clipped, "👍🏽👍🏽…")
        XCTAssertLessThanOrEqual(clipped.utf16.count, 11)
        XCTAssertEqual("short".clipped(to: 10), "short")
    }

    func testParseIsTheInverseOfFormatAndHandlesOffsetsAndFractions() {
        for seconds in [0.0, 951_782_400, 1_764_000_000.123, 4_102_444_799] {
            XCTAssertEqual(RFC3339.parse(RFC3339.format(seconds))!, seconds, accuracy: 0.001)
        }
        XCTAssertEqual(RFC3339.parse("2025-07-02T09:00:05.250000Z")!, 1_751_446_805.25, accuracy: 0.0001)
        XCTAssertEqual(RFC3339.parse("2025-07-02T11:00:05+02:00"), 1_751_446_805)
        for bad in ["", "2025-07-02", "2025-13-02T09:00:05Z", "2025-07-02T09:00:05", "2025-07-02T09:00:05Zjunk", "x025-07-02T09:00:05Z"] {
            XCTAssertNil(RFC3339.parse(bad), bad)
        }
    }
}
