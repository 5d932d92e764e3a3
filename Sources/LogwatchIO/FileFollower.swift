import Foundation
import LogwatchCore

/// Follows one file like `tail -F`: waits for it to exist, reads what is appended, and
/// follows a rename rotation (drains the old file to its end, then switches to the new one)
/// and a truncation (starts again at 0).
public final class FileFollower {
    public let path: String
    private var fd: Int32 = -1
    private var identity: (dev: UInt64, ino: UInt64)?
    private var offset: off_t = 0
    private var startAtEnd: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    /// Events worth telling the operator about (rotation, truncation).
    public private(set) var events: [String] = []

    public init(path: String, fromStart: Bool) {
        self.path = path
        self.startAtEnd = !fromStart
        buffer = .allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    public func takeEvents() -> [String] {
        defer { events.removeAll() }
        return events
    }

    /// Reads everything available now; returns the number of bytes passed to `body`.
    @discardableResult
    public func poll(_ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        if fd < 0 {
            guard openFile() else { return 0 }
        }
        var total = drain(body)
        // At the end of what is open: has the path moved on to a new file, or shrunk?
        var st = stat()
        if stat(path, &st) == 0 {
            let current = (UInt64(st.st_dev), UInt64(st.st_ino))
            if let identity, identity != current {
                close(fd)
                fd = -1
                events.append("\(path) was rotated; reading the new file from its start")
                startAtEnd = false
                if openFile() { total += drain(body) }
            } else if st.st_size < offset {
                events.append("\(path) was truncated; reading again from its start (lines written just before may be missing)")
                offset = 0
                lseek(fd, 0, SEEK_SET)
                total += drain(body)
            }
        }
        return total
    }

    private func openFile() -> Bool {
        let newFD = open(path, O_RDONLY | O_CLOEXEC)
        guard newFD >= 0 else { return false }
        var st = stat()
        fstat(newFD, &st)
        fd = newFD
        identity = (UInt64(st.st_dev), UInt64(st.st_ino))
        offset = 0
        if startAtEnd {
            offset = lseek(fd, 0, SEEK_END)
            startAtEnd = false
        }
        return true
    }

    private func drain(_ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        var total = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += off_t(n)
            total += n
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return total
    }
}
