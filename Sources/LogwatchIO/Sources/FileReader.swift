import Foundation
import LogwatchCore

/// Reads whole files in large blocks and frames them (for `scan`).
public struct FileReader {
    /// Large enough that per-read and per-scan costs vanish, small enough that the block and
    /// its framed records stay a small part of the memory budget.
    public static let blockSize = 256 << 10

    /// Reads `path` from the start, calling `body` for each framed record.
    public static func frame(path: String, source: String? = nil, framer configuration: Framer.Configuration = .init(),
                             _ body: (LogRecord) -> Void) throws -> Framer.Statistics {
        try frameBlocks(path: path, source: source, framer: configuration) { records in
            for record in records { body(record) }
        }
    }

    /// Reads `path` from the start, calling `body` with the records framed from each block read
    /// (in order; memory stays bounded by the block size and the framer's record limits).
    public static func frameBlocks(path: String, source: String? = nil, framer configuration: Framer.Configuration = .init(),
                                   _ body: ([LogRecord]) -> Void) throws -> Framer.Statistics {
        var framer = Framer(source: source ?? path, configuration: configuration)
        var splitter = LineSplitter(maxPending: configuration.maxLineBytes)
        var lineNumber = 0
        var out: [LogRecord] = []
        try readBlocks(path: path) { block in
            splitter.feed(block) { line in
                lineNumber += 1
                framer.push(line: line, number: lineNumber, into: &out)
            }
            if !out.isEmpty { body(out) }
            out.removeAll(keepingCapacity: true)
        }
        splitter.finish { line in
            lineNumber += 1
            framer.push(line: line, number: lineNumber, into: &out)
        }
        framer.flush(into: &out)
        if !out.isEmpty { body(out) }
        return framer.statistics
    }

    /// Reads `path` from the start in `blockSize` reads, handing each block to `body` as a slice
    /// of one reused buffer (lines reach the framer as slices of it, no copy per line; nothing
    /// may keep a slice past its call).
    static func readBlocks(path: String, _ body: (ArraySlice<UInt8>) -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IOError.cannotOpen(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, blockSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError.cannotRead(path, String(cString: strerror(errno)))
            }
            if n == 0 { return }
            body(buffer[0..<n])
        }
    }
}

extension FileReader {
    /// Like `frameBlocks`, but frames only the stretches the gate marks (`SparseFramer`): the
    /// records that can lead to output, identical to the full framer's. `records` in the
    /// statistics counts only those.
    public static func sparseBlocks(path: String, source: String? = nil, gate: RecordGate,
                                    framer configuration: Framer.Configuration = .init(),
                                    _ body: ([LogRecord]) -> Void) throws -> Framer.Statistics {
        var framer = SparseFramer(source: source ?? path, gate: gate, configuration: configuration)
        var splitter = LineSplitter(maxPending: configuration.maxLineBytes)
        var out: [LogRecord] = []
        try readBlocks(path: path) { block in
            splitter.feed(block) { line in framer.push(line: line, into: &out) }
            framer.drain(into: &out)
            if !out.isEmpty { body(out) }
            out.removeAll(keepingCapacity: true)
        }
        splitter.finish { line in framer.push(line: line, into: &out) }
        framer.finish(into: &out)
        if !out.isEmpty { body(out) }
        return framer.statistics
    }
}

public enum IOError: Error, CustomStringConvertible {
    case cannotOpen(String, String)
    case cannotRead(String, String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open '\(path)': \(reason)"
        case .cannotRead(let path, let reason): "cannot read '\(path)': \(reason)"
        }
    }
}
