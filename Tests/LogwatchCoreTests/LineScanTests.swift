import CLineScan
import TestSupport
import XCTest

/// The 16-byte (SSE2) loops of CLineScan against their byte-at-a-time forms, on the same inputs:
/// every length around the block size, the bytes of note at every position, and random lines.
final class LineScanTests: XCTestCase {
    /// Lines made of the bytes the loops look for (newline, ESC, backslash, quote, high bytes)
    /// among ordinary text, at lengths 0...80 and from every offset of a 16-byte block.
    static func inputs() -> [[UInt8]] {
        var random = SplitMix64(seed: 19)
        let special: [UInt8] = [0x0A, 0x1B, 0x5C, 0x22, 0x80, 0xFF, 0xEF, 0x0D]
        var inputs: [[UInt8]] = []
        for length in 0...80 {
            inputs.append([UInt8](repeating: 0x61, count: length))
            for position in 0..<length {
                for byte in special {
                    var line = [UInt8](repeating: 0x61, count: length)
                    line[position] = byte
                    inputs.append(line)
                }
            }
        }
        for _ in 0..<5_000 {
            let length = Int(random.next() % 200)
            inputs.append((0..<length).map { _ in
                random.next() % 8 == 0 ? special[Int(random.next() % UInt64(special.count))] : UInt8(0x20 + random.next() % 0x5F)
            })
        }
        return inputs
    }

    func testTheSSE2PathIsBuiltOnX86() {
        #if arch(x86_64)
        XCTAssertEqual(lw_line_scan_has_sse2(), 1, "every x86-64 has SSE2; without it these tests compare nothing")
        #endif
    }

    #if arch(x86_64)
    func testLineCopyPathsAgree() {
        for input in Self.inputs() {
            var scalarOut = [UInt8](repeating: 0, count: input.count), sse2Out = scalarOut
            var scalarNote: UInt32 = 0, sse2Note: UInt32 = 0
            let (scalar, sse2) = input.withUnsafeBufferPointer { s in
                (lw_line_copy_scalar(s.baseAddress, s.count, &scalarOut, &scalarNote),
                 lw_line_copy_sse2(s.baseAddress, s.count, &sse2Out, &sse2Note))
            }
            XCTAssertEqual(scalar, sse2, "\(input)")
            XCTAssertEqual(scalarNote, sse2Note, "\(input)")
            // Only the line itself is promised; SSE2 may have written past it.
            XCTAssertEqual(scalarOut[..<scalar], sse2Out[..<scalar], "\(input)")
            XCTAssertEqual(Array(scalarOut[..<scalar]), Array(input[..<scalar]))
        }
    }

    func testNewlineCountPathsAgree() {
        for input in Self.inputs() {
            let (scalar, sse2) = input.withUnsafeBufferPointer { s in
                (lw_count_newlines_scalar(s.baseAddress, s.count), lw_count_newlines_sse2(s.baseAddress, s.count))
            }
            XCTAssertEqual(scalar, sse2, "\(input)")
            XCTAssertEqual(scalar, input.filter { $0 == 0x0A }.count)
        }
    }

    func testStringSkipPathsAgree() {
        for input in Self.inputs() {
            input.withUnsafeBufferPointer { s in
                for start in [0, 1, 7, 16, 17] where start <= s.count {
                    XCTAssertEqual(lw_skim_plain_scalar(s.baseAddress, start, s.count),
                                   lw_skim_plain_sse2(s.baseAddress, start, s.count), "\(input) from \(start)")
                }
            }
        }
    }
    #endif
}
