public import Foundation
import XCTest

/// Golden files: what a person reads is compared byte for byte with a reviewed file.
/// The one way to re-record them on purpose: `LOGWATCH_UPDATE_GOLDENS=1 swift test --filter ...`,
/// then review the diff.
public enum Golden {
    public static let updateVariable = "LOGWATCH_UPDATE_GOLDENS"

    public static var updating: Bool { ProcessInfo.processInfo.environment[updateVariable] == "1" }

    /// Compares `text` with the golden file at `url` (or writes it when updating).
    public static func assertMatches(_ text: String, _ url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        if updating {
            try Data(text.utf8).write(to: url)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no golden \(url.lastPathComponent); record it on purpose with \(updateVariable)=1", file: file, line: line)
            return
        }
        XCTAssertEqual(text, golden, "differs from \(url.lastPathComponent); re-record on purpose with \(updateVariable)=1",
                       file: file, line: line)
    }
}
