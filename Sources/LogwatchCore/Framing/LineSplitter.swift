#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines across chunk boundaries. Keeps the unfinished tail.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    /// Lines longer than this are cut while still accumulating, so memory stays bounded; the
    /// rest of such a line is dropped up to its newline.
    public var maxPending: Int
    private var discarding = false

    public init(maxPending: Int = 64 * 1024) {
        self.maxPending = maxPending
    }

    /// Calls `body` with every complete line in `chunk` (without the newline).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) -> Void) {
        let bytes = chunk.bindMemory(to: UInt8.self)
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            // memchr is vectorised; a byte loop over every line was a visible share of a scan.
            guard let found = memchr(base + start, 0x0A, bytes.count - start) else {
                if !discarding {
                    pending.append(contentsOf: bytes[start...])
                    if pending.count > maxPending {
                        // Keep one byte past the limit so the framer sees it was cut.
                        pending.removeLast(pending.count - maxPending - 1)
                        discarding = true
                    }
                }
                return
            }
            let newline = base.distance(to: UnsafeRawPointer(found))
            if pending.isEmpty && !discarding {
                body(ArraySlice(bytes[start..<newline]))
            } else {
                if !discarding { pending.append(contentsOf: bytes[start..<newline]) }
                body(pending[...])
                pending.removeAll(keepingCapacity: true)
                discarding = false
            }
            start = newline + 1
        }
    }

    /// Like `feed(_:_:)` for bytes already in an array: complete lines are handed out as slices
    /// of `chunk` itself, without copying (only a line that straddles two chunks is copied).
    public mutating func feed(_ chunk: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = chunk.startIndex
        while start < chunk.endIndex {
            let offset = chunk.withUnsafeBufferPointer { p -> Int? in
                let from = start - chunk.startIndex
                guard let base = p.baseAddress, let found = memchr(base + from, 0x0A, p.count - from) else { return nil }
                return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            }
            guard let offset else {
                if !discarding {
                    pending.append(contentsOf: chunk[start...])
                    if pending.count > maxPending {
                        pending.removeLast(pending.count - maxPending - 1)
                        discarding = true
                    }
                }
                return
            }
            let newline = chunk.startIndex + offset
            if pending.isEmpty && !discarding {
                body(chunk[start..<newline])
            } else {
                if !discarding { pending.append(contentsOf: chunk[start..<newline]) }
                body(pending[...])
                pending.removeAll(keepingCapacity: true)
                discarding = false
            }
            start = newline + 1
        }
    }

    /// The unfinished last line at end of input, if any.
    public mutating func finish(_ body: (ArraySlice<UInt8>) -> Void) {
        if !pending.isEmpty { body(pending[...]) }
        pending.removeAll()
        discarding = false
    }

    public var hasPending: Bool { !pending.isEmpty }
}
