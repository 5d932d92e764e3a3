import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif
import LogwatchCore

/// Lines from a descriptor that is read once, front to back: standard input or a pipe.
/// There is nothing to resume, so it never checkpoints.
public final class StreamSource: LogSource {
    public let key: String
    public let label: String
    private let fd: Int32
    private var lines = LineAssembler(maxLineBytes: 1 << 20)
    private var token: Int64 = 0
    private var finished = false
    private let buffer: UnsafeMutableRawBufferPointer
    /// Turns one physical line into the lines and metadata it stands for (journal JSON); nil
    /// passes lines through.
    private let decode: ((ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, EntryMetadata?)])?
    public var maxLineBytes = 1 << 20 {
        // A stored copy: reading it through `lines` while `lines.feed` runs would be an
        // overlapping access.
        didSet { lines.maxLineBytes = maxLineBytes }
    }

    public init(fd: Int32 = STDIN_FILENO, label: String = "stdin",
                decode: ((ArraySlice<UInt8>) -> [(ArraySlice<UInt8>, EntryMetadata?)])? = nil) {
        self.fd = fd
        self.label = label
        self.key = "stream:" + label
        self.decode = decode
        buffer = .allocate(byteCount: 1 << 16, alignment: 16)
        originalFlags = fcntl(fd, F_GETFL)
        if originalFlags >= 0 { _ = fcntl(fd, F_SETFL, originalFlags | O_NONBLOCK) }
    }

    /// Non-blocking mode is shared with whoever else holds the descriptor (the shell, for a
    /// terminal): put it back.
    private let originalFlags: Int32

    deinit {
        if originalFlags >= 0 { _ = fcntl(fd, F_SETFL, originalFlags) }
        buffer.deallocate()
    }

    public var waitDescriptor: Int32? { finished ? nil : fd }
    public func restore(_ checkpoint: String) {}
    public func checkpoint(after token: Int64) -> String? { nil }
    public func takeEvents() -> [SourceEvent] { [] }

    public func read(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> ReadStatus {
        guard !finished else { return .finished }
        var delivered = 0
        while delivered < maxLines {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .more }
            }
            if n <= 0 {
                if let partial = lines.takePartial() { emit(partial[...], line) }
                finished = true
                return .finished
            }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n]).bindMemory(to: UInt8.self)
            delivered += lines.feed(bytes) { text, _ in emit(text, line) }
        }
        return .more
    }

    private func emit(_ bytes: ArraySlice<UInt8>, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) {
        token += 1
        guard let decode else { return line(bytes, token, nil) }
        for (decoded, metadata) in decode(bytes) { line(decoded, token, metadata) }
    }
}
