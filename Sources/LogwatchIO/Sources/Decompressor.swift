import CCompression

/// Decodes logrotate's compressed generations (gzip, bzip2, xz, zstd) through the system
/// libraries, as a stream: memory stays bounded by one input block and one output block, however
/// large the file. The format comes from the first bytes, never from the name: a `.1` that is
/// gzip'd and a `.gz` that is plain text both happen on real hosts.
///
/// Concatenated streams (pigz, pbzip2, pixz, zstd's frames, `cat a.gz b.gz`) are read to the
/// end, as the command-line tools do. A stream that is corrupt, or ends before its end marker,
/// throws: a file that cannot be decoded must never look like a file without problems.
///
/// This file uses nothing else of LogwatchIO, so the fuzz build (tools/fuzz/build.sh) compiles
/// it on its own.
public final class Decompressor {
    public enum Format: String, Sendable, CaseIterable {
        case gzip, bzip2, xz, zstd

        /// The format whose magic bytes `head` starts with; nil for anything else (plain text).
        public static func detect(_ head: some Collection<UInt8>) -> Format? {
            let bytes = Array(head.prefix(6))
            func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
            if starts([0x1F, 0x8B]) { return .gzip }
            if starts([0x42, 0x5A, 0x68]) { return .bzip2 }  // "BZh"
            if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
            if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
            return nil
        }
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var format: Format
        public var reason: String
        public var description: String { "not a valid \(format.rawValue) stream: \(reason)" }
    }

    public let format: Format
    /// Bytes produced so far (for messages and tests).
    public private(set) var producedBytes = 0
    private var output: UnsafeMutableBufferPointer<UInt8>
    private var state: State
    /// True between the end marker of one stream and the first byte of the next.
    private var atStreamEnd = false

    private enum State {
        case gzip(UnsafeMutablePointer<z_stream>)
        case bzip2(UnsafeMutablePointer<bz_stream>)
        case xz(UnsafeMutablePointer<lzma_stream>)
        case zstd(OpaquePointer)
    }

    public init(_ format: Format, outputBlock: Int = 256 << 10) throws {
        self.format = format
        output = .allocate(capacity: max(outputBlock, 64))
        switch format {
        case .gzip:
            // 15 + 16: the largest window, gzip framing only (zlib and raw deflate are other formats).
            state = .gzip(try Self.stream(z_stream(), format, output) {
                inflateInit2_($0, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
            })
        case .bzip2:
            state = .bzip2(try Self.stream(bz_stream(), format, output) { BZ2_bzDecompressInit($0, 0, 0) == BZ_OK })
        case .xz:
            // All zero is LZMA_STREAM_INIT. LZMA_CONCATENATED (0x08): every stream in the file, as xz(1) reads.
            state = .xz(try Self.stream(lzma_stream(), format, output) { lzma_stream_decoder($0, UInt64.max, 0x08) == LZMA_OK })
        case .zstd:
            guard let stream = ZSTD_createDStream() else {
                output.deallocate()
                throw Failure(format: format, reason: "libzstd could not start")
            }
            state = .zstd(stream)
        }
    }

    /// A library's stream struct on the heap (the libraries keep pointers to it: it must never
    /// move), started by `start`; on failure everything allocated so far is released.
    private static func stream<T>(_ empty: T, _ format: Format, _ output: UnsafeMutableBufferPointer<UInt8>,
                                  start: (UnsafeMutablePointer<T>) -> Bool) throws -> UnsafeMutablePointer<T> {
        let stream = UnsafeMutablePointer<T>.allocate(capacity: 1)
        stream.initialize(to: empty)
        guard start(stream) else {
            stream.deallocate()
            output.deallocate()
            throw Failure(format: format, reason: "the \(format.rawValue) library could not start")
        }
        return stream
    }

    deinit {
        switch state {
        case .gzip(let stream):
            inflateEnd(stream)
            stream.deallocate()
        case .bzip2(let stream):
            BZ2_bzDecompressEnd(stream)
            stream.deallocate()
        case .xz(let stream):
            lzma_end(stream)
            stream.deallocate()
        case .zstd(let stream):
            ZSTD_freeDStream(stream)
        }
        output.deallocate()
    }

    /// Decodes `input`, handing each block of decoded bytes to `body` (a slice of a buffer that
    /// is reused: nothing may keep it past the call).
    public func decode(_ input: UnsafeRawBufferPointer, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count > 0 else { return }
        var consumed = 0
        while consumed < input.count {
            let (used, produced) = try step(base + consumed, input.count - consumed)
            consumed += used
            if produced > 0 {
                producedBytes += produced
                try body(UnsafeBufferPointer(rebasing: output[0..<produced]))
            }
            if used == 0 && produced == 0 {
                throw Failure(format: format, reason: "the decoder made no progress at input byte \(consumed)")
            }
        }
        // Input used up; the decoder may still hold decoded bytes that did not fit the last block.
        while true {
            let (_, produced) = try step(base + input.count, 0)
            guard produced > 0 else { break }
            producedBytes += produced
            try body(UnsafeBufferPointer(rebasing: output[0..<produced]))
        }
    }

    public func decode(_ input: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try input.withUnsafeBytes { try decode($0, body) }
    }

    /// At the end of the input: throws when the last stream did not reach its end marker (a
    /// truncated file, or a copy still being written).
    public func finish() throws {
        if case .xz(let stream) = state {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = output.count
            // With LZMA_CONCATENATED only LZMA_FINISH tells whether the last stream was whole.
            let code = lzma_code(stream, LZMA_FINISH)
            if code == LZMA_STREAM_END {
                atStreamEnd = true
            } else if code != LZMA_OK && code != LZMA_BUF_ERROR {
                throw Failure(format: format, reason: Self.lzmaReason(code))
            }
        }
        guard atStreamEnd else {
            throw Failure(format: format, reason: "the data ends before the end of the compressed stream (truncated)")
        }
    }

    /// One call into the library: (input bytes used, output bytes made).
    private func step(_ input: UnsafePointer<UInt8>, _ count: Int) throws -> (Int, Int) {
        switch state {
        case .gzip(let stream):
            if atStreamEnd {
                guard count > 0 else { return (0, 0) }
                // Another gzip member follows (pigz, `cat a.gz b.gz`): start it afresh.
                inflateReset(stream)
                atStreamEnd = false
            }
            let chunk = min(count, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input)
            stream.pointee.avail_in = UInt32(chunk)
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = UInt32(output.count)
            let code = inflate(stream, Z_NO_FLUSH)
            let used = chunk - Int(stream.pointee.avail_in)
            let produced = output.count - Int(stream.pointee.avail_out)
            switch code {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: atStreamEnd = true
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(code)"
                throw Failure(format: format, reason: message)
            }
            return (used, produced)
        case .bzip2(let stream):
            if atStreamEnd {
                guard count > 0 else { return (0, 0) }
                // pbzip2 writes one stream per block: start the next one.
                BZ2_bzDecompressEnd(stream)
                stream.initialize(to: bz_stream())
                let code = BZ2_bzDecompressInit(stream, 0, 0)
                guard code == BZ_OK else { throw Failure(format: format, reason: "libbz2 could not restart (\(code))") }
                atStreamEnd = false
            }
            let chunk = min(count, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutableRawPointer(mutating: input).assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_in = UInt32(chunk)
            stream.pointee.next_out = UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(output.count)
            let code = BZ2_bzDecompress(stream)
            let used = chunk - Int(stream.pointee.avail_in)
            let produced = output.count - Int(stream.pointee.avail_out)
            switch code {
            case BZ_OK: break
            case BZ_STREAM_END: atStreamEnd = true
            case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: throw Failure(format: format, reason: "corrupt data")
            case BZ_MEM_ERROR: throw Failure(format: format, reason: "out of memory")
            default: throw Failure(format: format, reason: "libbz2 error \(code)")
            }
            return (used, produced)
        case .xz(let stream):
            stream.pointee.next_in = input
            stream.pointee.avail_in = count
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = output.count
            let code = lzma_code(stream, LZMA_RUN)
            let used = count - stream.pointee.avail_in
            let produced = output.count - stream.pointee.avail_out
            switch code {
            case LZMA_OK, LZMA_BUF_ERROR: break
            case LZMA_STREAM_END: atStreamEnd = true
            default: throw Failure(format: format, reason: Self.lzmaReason(code))
            }
            return (used, produced)
        case .zstd(let stream):
            var inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input), size: count, pos: 0)
            var outBuffer = ZSTD_outBuffer(dst: UnsafeMutableRawPointer(output.baseAddress!), size: output.count, pos: 0)
            let code = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
            if ZSTD_isError(code) != 0 {
                throw Failure(format: format, reason: String(cString: ZSTD_getErrorName(code)))
            }
            // 0: a frame is complete and fully flushed; anything else: more of it is expected. A
            // call that moved nothing says nothing (between frames it hints at the next header).
            if inBuffer.pos > 0 || outBuffer.pos > 0 { atStreamEnd = code == 0 }
            return (inBuffer.pos, outBuffer.pos)
        }
    }

    private static func lzmaReason(_ code: lzma_ret) -> String {
        switch code {
        case LZMA_FORMAT_ERROR: "not in the .xz format"
        case LZMA_DATA_ERROR: "corrupt data"
        case LZMA_OPTIONS_ERROR: "unsupported options"
        case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR: "out of memory"
        default: "liblzma error \(code.rawValue)"
        }
    }
}
