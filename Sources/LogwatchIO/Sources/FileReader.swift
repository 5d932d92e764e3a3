import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` members to libdispatch's C module;
// MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif
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
    /// may keep a slice past its call). A file whose first bytes are gzip, bzip2, xz or zstd
    /// magic is decoded on the way (logrotate's `.gz` generations); one that cannot be decoded
    /// throws, so it is reported as an error and never counted as a file without problems.
    static func readBlocks(path: String, _ body: (ArraySlice<UInt8>) -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IOError.cannotOpen(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var decoder: Decompressor?
        var decoded: [UInt8] = []
        var first = true
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, blockSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError.cannotRead(path, String(cString: strerror(errno)))
            }
            if first, n > 0, let format = Decompressor.Format.detect(buffer[0..<min(n, 6)]) {
                decoder = try Decompressor(format)
                decoded.reserveCapacity(blockSize)
            }
            first = false
            guard let decoder else {
                if n == 0 { return }
                body(buffer[0..<n])
                continue
            }
            do {
                if n == 0 {
                    try decoder.finish()
                    return
                }
                try buffer.withUnsafeBytes { bytes in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) { block in
                        decoded.removeAll(keepingCapacity: true)
                        decoded.append(contentsOf: block)
                        body(decoded[...])
                    }
                }
            } catch let failure as Decompressor.Failure {
                throw IOError.cannotDecode(path, failure.description)
            }
        }
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    /// The compression `path` starts with, or nil (plain, or unreadable: opening it later says why).
    public static func compression(ofFileAt path: String) -> Decompressor.Format? {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        // Only regular files are peeked at: a FIFO or a terminal would lose the bytes read here.
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var head = [UInt8](repeating: 0, count: 6)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 6, 0) }
        return n > 0 ? Decompressor.Format.detect(head[0..<n]) : nil
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
    case cannotDecode(String, String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open '\(path)': \(reason)"
        case .cannotRead(let path, let reason): "cannot read '\(path)': \(reason)"
        case .cannotDecode(let path, let reason): "cannot decode '\(path)': \(reason)"
        }
    }
}
