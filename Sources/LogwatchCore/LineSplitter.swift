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
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
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

    /// The unfinished last line at end of input, if any.
    public mutating func finish(_ body: (ArraySlice<UInt8>) -> Void) {
        if !pending.isEmpty { body(pending[...]) }
        pending.removeAll()
        discarding = false
    }

    public var hasPending: Bool { !pending.isEmpty }
}
