import TestSupport
import XCTest
@testable import LogwatchCore

/// `stripANSI` copies runs between escape candidates in bulk; it must give what the plain
/// byte-by-byte definition gives, on inputs dense with near-miss sequences.
final class LineCleanerFastPathTests: XCTestCase {
    /// The definition, one byte at a time (the implementation before the bulk copy).
    static func reference(_ line: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < line.count {
            var introducerEnd: Int?
            if line[i] == 0x1B, i + 1 < line.count, line[i + 1] == UInt8(ascii: "[") {
                introducerEnd = i + 2
            } else if line[i] == 0xEF, i + 3 < line.count, line[i + 1] == 0xBF, line[i + 2] == 0xBD, line[i + 3] == UInt8(ascii: "[") {
                introducerEnd = i + 4
            }
            if let start = introducerEnd {
                var j = start
                while j < line.count, line[j] >= 0x30 && line[j] <= 0x3F { j += 1 }
                if j < line.count, line[j] >= 0x40 && line[j] <= 0x7E, line[i] == 0x1B || line[j] == UInt8(ascii: "m") {
                    i = j + 1
                    continue
                }
            }
            out.append(line[i])
            i += 1
        }
        return out
    }

    func testBulkCopyAgreesWithTheByteByByteDefinition() {
        let alphabet: [UInt8] = [0x1B, 0x5B, 0xEF, 0xBF, 0xBD, 0x6D, 0x33, 0x31, 0x3B, 0x61, 0x20, 0x4B, 0x0A]
        var rng = SplitMix64(seed: 7)
        for n in 0..<5_000 {
            let count = Int(rng.next() % 40)
            let bytes = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Also as a slice that does not start at index 0.
            let padded = [0x78, 0x78] + bytes
            XCTAssertEqual(Array(LineCleaner.stripANSI(bytes[...])), Self.reference(bytes), "case \(n): \(bytes)")
            XCTAssertEqual(Array(LineCleaner.stripANSI(padded[2...])), Self.reference(bytes), "case \(n), offset slice")
        }
    }
}
