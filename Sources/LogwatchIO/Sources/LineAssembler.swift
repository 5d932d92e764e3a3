/// Cuts blocks of a byte stream into lines. Lines wholly inside a block are handed over as
/// slices of it (no copy); a line split across blocks is held until its newline arrives, and
/// never more than `maxLineBytes` of it (the rest up to the newline is dropped), so memory
/// stays bounded whatever a line's length.
struct LineAssembler {
    var maxLineBytes: Int
    private var carry: [UInt8] = []
    private var cut = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `line(bytes, end)` for every line the block completes, where `end` is the offset in
    /// the block just after its newline. Returns how many lines were completed.
    @discardableResult
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ line: (ArraySlice<UInt8>, Int) -> Void) -> Int {
        var start = 0
        var lines = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                hold(bytes[start...])
                break
            }
            if carry.isEmpty && !cut {
                line(ArraySlice(bytes[start..<newline]), newline + 1)
            } else {
                hold(bytes[start..<newline])
                line(carry[...], newline + 1)
                carry.removeAll(keepingCapacity: carry.count <= 1 << 16)
                cut = false
            }
            lines += 1
            start = newline + 1
        }
        return lines
    }

    /// The unfinished last line, if any (end of input, or a rotation: it gets no more bytes).
    mutating func takePartial() -> [UInt8]? {
        defer { reset() }
        return carry.isEmpty ? nil : carry
    }

    mutating func reset() {
        carry.removeAll()
        cut = false
    }

    private mutating func hold(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        guard !cut else { return }
        carry.append(contentsOf: bytes)
        if carry.count > maxLineBytes {
            carry.removeLast(carry.count - maxLineBytes)
            cut = true
        }
    }
}
