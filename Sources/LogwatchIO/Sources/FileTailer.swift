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

/// Follows one path like `tail -F`, as a `LogSource`: waits for the file, wakes on inotify
/// (with a timer as the fallback), follows rename rotation (drains the old file to its end,
/// then reads the new one from its start), notices copytruncate and says a gap is possible,
/// and resumes from a checkpoint only when the file is provably the same one.
public final class FileTailer: LogSource {
    /// How the file's lines are wrapped.
    public enum Format: String, Sendable {
        /// Lines as the program wrote them (Docker json-file lines are unwrapped by the framer).
        case plain
        /// Kubernetes CRI: `TIMESTAMP STREAM P|F message`, partial `P` lines joined.
        case cri
    }

    public let path: String
    public let format: Format
    public var key: String { "file:" + path }
    public var label: String { path }
    /// Lines longer than this are cut (the rest up to the newline is skipped) so memory stays bounded.
    public var maxLineBytes = 1 << 20 {
        // A stored copy: reading it through `lines` while `lines.feed` runs would be an
        // overlapping access.
        didSet { lines.maxLineBytes = maxLineBytes }
    }

    private var startAtEnd: Bool
    private var fd: Int32 = -1
    private var offset: Int64 = 0
    /// Token base of the open file: tokens are `base + offset after the line`.
    private var base: Int64 = 0
    private var generations: [Generation] = []
    private var lines = LineAssembler(maxLineBytes: 1 << 20)
    private var criPartial: [UInt8] = []
    /// The first bytes read from the open file, to notice a copytruncate that regrew past us.
    private var head: [UInt8] = []
    private var lastHeadCheck: Double = 0
    private var restoreTo: (identity: FileIdentity, offset: Int64)?
    /// The last waiting or error message given, so each is said once until something changes.
    private var waitingReported: String?
    private var isFIFO = false
    private var events: [SourceEvent] = []
    private let buffer: UnsafeMutableRawBufferPointer
    private var inotifyFD: Int32 = -1
    private var watchedDirectories: Set<String> = []

    /// A file that delivered lines: what a token in its range checkpoints to.
    struct Generation {
        var base: Int64
        var fd: Int32
        var identity: FileIdentity?
    }

    public init(path: String, fromStart: Bool = false, format: Format = .plain, useInotify: Bool = true) {
        self.path = path
        self.format = format
        startAtEnd = !fromStart
        buffer = .allocate(byteCount: 1 << 16, alignment: 16)
        if useInotify {
            inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            watchDirectory(of: path)
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        for generation in generations where generation.fd >= 0 && generation.fd != fd { close(generation.fd) }
        if inotifyFD >= 0 { close(inotifyFD) }
        buffer.deallocate()
    }

    public var waitDescriptor: Int32? { inotifyFD >= 0 ? inotifyFD : nil }

    public func takeEvents() -> [SourceEvent] {
        defer { events.removeAll() }
        return events
    }

    private func event(_ kind: SourceEvent.Kind, _ message: String) {
        events.append(SourceEvent(kind, source: path, message))
    }

    // MARK: Checkpoints

    public func restore(_ checkpoint: String) {
        let parts = checkpoint.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let offset = Int64(parts[0]), let identity = FileIdentity(parts[1]) else {
            event(.error, "the saved position '\(checkpoint)' is not readable; following from the end")
            return
        }
        restoreTo = (identity, offset)
    }

    public func checkpoint(after token: Int64) -> String? {
        guard let index = generations.lastIndex(where: { $0.base <= token }) else { return nil }
        let generation = generations[index]
        let offset = token - generation.base
        // Older files can no longer be needed: release them.
        for old in generations[..<index] where old.fd >= 0 && old.fd != fd { close(old.fd) }
        generations.removeFirst(index)
        var identity = generation.identity
        if identity == nil, generation.fd >= 0 {
            identity = FileIdentity.of(fd: generation.fd, limit: Int(min(Int64(FileIdentity.headLimit), offset)))
        }
        guard let identity else { return nil }
        return "\(offset) \(identity)"
    }

    // MARK: Reading

    public var lagBytes: Int64? {
        guard fd >= 0, !isFIFO else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return max(0, Int64(st.st_size) - offset)
    }

    public func position() {
        drainInotify()
        if fd < 0 { _ = openPath() }
    }

    public func read(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> ReadStatus {
        drainInotify()
        if fd < 0 && !openPath() { return .more }
        var delivered = drain(maxLines: maxLines, line)
        if delivered < maxLines { delivered += checkPath(maxLines: maxLines - delivered, line) }
        return .more
    }

    /// At the end of what is open: has the path moved on, shrunk, or been rewritten?
    private func checkPath(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0 }  // deleted: keep what is open until it comes back
        var current = stat()
        fstat(fd, &current)
        if st.st_dev != current.st_dev || st.st_ino != current.st_ino {
            // Open the new file before looking for generations in between: a writer that rotates
            // again meanwhile must not slip one past us between a stat and an open.
            let newFD = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard newFD >= 0 else { return 0 }  // between rename and create: next time
            var opened = stat()
            fstat(newFD, &opened)
            let kind = opened.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFIFO else {
                // Replaced by a directory or a device: keep what is open, say so once.
                close(newFD)
                reportOnce(.error, "was replaced by \(FileTailer.describe(kind)); waiting for a file there")
                return 0
            }
            flushPartial(line)
            let skipped = generationsBetween(old: current, new: opened)
            retire()
            var delivered = 0
            for path in skipped {
                // Rotated again before we looked: read that generation whole, in order.
                let missedFD = open(path, O_RDONLY | O_CLOEXEC)
                guard missedFD >= 0 else { continue }
                fd = missedFD
                offset = 0
                generations.append(Generation(base: base, fd: fd, identity: nil))
                delivered += drain(maxLines: Int.max, line)
                flushPartial(line)
                retire()
                event(.rotated, "rotated twice between two reads; read the intermediate file \(path) whole")
            }
            event(.rotated, "rotated; the old file was read to its end, reading the new file from its start")
            startAtEnd = false
            adopt(newFD)
            return delivered + drain(maxLines: maxLines, line)
        }
        // A FIFO has no size to compare: only a regular file can be truncated under us.
        if !isFIFO, Int64(st.st_size) < offset || headChanged(size: Int64(st.st_size)) {
            event(.truncated, "truncated in place (copytruncate); reading again from its start — lines written just before the truncation may be missing (possible gap)")
            retire(keepOpen: true)
            offset = 0
            head.removeAll()
            lines.reset()
            lseek(fd, 0, SEEK_SET)
            generations.append(Generation(base: base, fd: fd, identity: nil))
            return drain(maxLines: maxLines, line)
        }
        return 0
    }

    /// Files that were at `path` after the old file and before the new one: renamed away again
    /// before we looked. They were written after the old file was renamed (their modification
    /// time is later than the old file's change time), and are neither of the two.
    private func generationsBetween(old: stat, new: stat) -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return [] }
        let renamedAt = Double(old.st_ctim.tv_sec) + Double(old.st_ctim.tv_nsec) / 1e9
        var found: [(path: String, modified: Double)] = []
        for entry in entries where entry != name && entry.hasPrefix(name) && !entry.hasSuffix(".gz") {
            let candidate = (directory as NSString).appendingPathComponent(entry)
            var st = stat()
            guard lstat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  st.st_ino != old.st_ino, st.st_ino != new.st_ino else { continue }
            let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if modified >= renamedAt { found.append((candidate, modified)) }
        }
        return found.sorted { $0.modified < $1.modified }.map(\.path)
    }

    /// A copytruncate followed by fast writes can regrow the file past our offset before we
    /// look; its first bytes then differ from those seen before. Checked at most once a second.
    private func headChanged(size: Int64) -> Bool {
        let now = ServiceClock.bootTime()
        guard now - lastHeadCheck >= 1 || head.isEmpty else { return false }
        lastHeadCheck = now
        let want = Int(min(64, size))
        guard want > 0 else { return false }
        var current = [UInt8](repeating: 0, count: want)
        let n = current.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, 0) }
        guard n == want else { return false }
        if !current.starts(with: head.prefix(want)) { return true }
        if want > head.count { head = current }
        return false
    }

    /// Closes the open file's generation: its tokens stay resolvable until a checkpoint passes it.
    private func retire(keepOpen: Bool = false) {
        if let index = generations.lastIndex(where: { $0.fd == fd && $0.identity == nil }) {
            generations[index].identity = FileIdentity.of(fd: fd, limit: Int(min(Int64(FileIdentity.headLimit), offset)))
            if !keepOpen { generations[index].fd = -2 }  // identity kept; descriptor closed below
        }
        if !keepOpen { close(fd); fd = -1 }
        base += offset + 1
    }

    private func openPath() -> Bool {
        // O_NONBLOCK: opening a FIFO without a writer must not hang the reading thread.
        let newFD = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard newFD >= 0 else {
            let missing = errno == ENOENT
            // As tail -F: a file that appears after we started waiting is new, read from its start.
            if missing { startAtEnd = false }
            reportOnce(missing ? .waiting : .error, missing ? "does not exist yet; waiting for it"
                       : "cannot be opened (\(String(cString: strerror(errno)))); trying again until it can")
            return false
        }
        // Only regular files and FIFOs are followed: a directory or a device has no end to
        // follow from (a directory's SEEK_END on ext4 is 2^63-1, which overflowed the offsets).
        var st = stat()
        let kind = fstat(newFD, &st) == 0 ? st.st_mode & S_IFMT : 0
        guard kind == S_IFREG || kind == S_IFIFO else {
            close(newFD)
            reportOnce(.error, "is \(FileTailer.describe(kind)), not a file; waiting for a file there")
            return false
        }
        waitingReported = nil
        adopt(newFD)
        return true
    }

    /// Says why the path cannot be read once, until the reason changes or the file is opened.
    private func reportOnce(_ kind: SourceEvent.Kind, _ reason: String) {
        guard waitingReported != reason else { return }
        event(kind, reason)
        waitingReported = reason
    }

    /// What a path is, for messages ("a directory").
    public static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFIFO: "a FIFO"
        case S_IFLNK: "a symbolic link"
        case S_IFREG: "a regular file"
        default: "not a regular file"
        }
    }

    /// Makes a freshly opened descriptor of `path` the file being read.
    private func adopt(_ newFD: Int32) {
        fd = newFD
        offset = 0
        head.removeAll()
        var st = stat()
        isFIFO = fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO
        watchDirectory(of: path)
        if let restore = restoreTo {
            restoreTo = nil
            resume(restore)
        } else if startAtEnd {
            offset = isFIFO ? 0 : max(0, Int64(lseek(fd, 0, SEEK_END)))
            startAtEnd = false
        }
        generations.append(Generation(base: base, fd: fd, identity: nil))
    }

    /// Applies a restored checkpoint to the file just opened at `path`.
    private func resume(_ restore: (identity: FileIdentity, offset: Int64)) {
        startAtEnd = false
        var st = stat()
        fstat(fd, &st)
        if restore.identity.matches(fd: fd), Int64(st.st_size) >= restore.offset {
            offset = Int64(lseek(fd, off_t(restore.offset), SEEK_SET))
            event(.resumed, "resuming at byte \(restore.offset)")
            return
        }
        if let rotated = findRotated(restore.identity) {
            // Rotated while we were away: finish the old file first, then the new one from its start.
            let oldFD = open(rotated, O_RDONLY | O_CLOEXEC)
            if oldFD >= 0 {
                let newFD = fd
                fd = oldFD
                offset = Int64(lseek(fd, off_t(restore.offset), SEEK_SET))
                event(.resumed, "resuming in the rotated file \(rotated) at byte \(restore.offset), then the new file")
                close(newFD)  // checkPath reopens the path when the old file is drained
                return
            }
        }
        if st.st_dev == restore.identity.device && st.st_ino == restore.identity.inode {
            event(.gap, "was truncated or rewritten while logwatch was stopped; reading from its start — lines written before may be missing (possible gap)")
        } else {
            event(.gap, "is a different file than at the last checkpoint and the old one was not found beside it; reading the new file from its start — lines written to the old file after the checkpoint may be missing (possible gap)")
        }
    }

    /// A rotated copy of the checkpointed file in the same directory (`x.log.1`, `x.log-2024…`).
    private func findRotated(_ identity: FileIdentity) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return nil }
        // Rotation schemes differ (x.log.1, x-20240101.log, x.log.2024…): any uncompressed
        // neighbour with the same inode and first bytes is the one.
        for entry in entries.sorted() where entry != name && !entry.hasSuffix(".gz") {
            let candidate = (directory as NSString).appendingPathComponent(entry)
            var st = stat()
            guard stat(candidate, &st) == 0, UInt64(st.st_ino) == identity.inode, UInt64(st.st_dev) == identity.device else { continue }
            let probe = open(candidate, O_RDONLY | O_CLOEXEC)
            guard probe >= 0 else { continue }
            defer { close(probe) }
            if identity.matches(fd: probe) { return candidate }
        }
        return nil
    }

    /// Reads what the open file has now and hands over complete lines.
    private func drain(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> Int {
        var delivered = 0
        while delivered < maxLines {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n]).bindMemory(to: UInt8.self)
            let start = base + offset
            delivered += lines.feed(bytes) { text, end in deliver(text, start + Int64(end), line) }
            offset += Int64(n)
        }
        return delivered
    }

    /// A last line without its newline, at a rotation: it will get no more bytes.
    private func flushPartial(_ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) {
        guard let partial = lines.takePartial() else { return }
        deliver(partial[...], base + offset, line)
    }

    private func deliver(_ bytes: ArraySlice<UInt8>, _ token: Int64, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) {
        guard format == .cri else {
            line(bytes, token, nil)
            return
        }
        guard let entry = CRILine.parse(bytes) else {
            line(bytes, token, nil)
            return
        }
        if entry.partial {
            criPartial.append(contentsOf: entry.message)
            if criPartial.count > maxLineBytes { criPartial.removeLast(criPartial.count - maxLineBytes) }
            return
        }
        let metadata = EntryMetadata(timestamp: entry.timestamp, attributes: ["stream": entry.stream])
        if criPartial.isEmpty {
            line(entry.message, token, metadata)
        } else {
            criPartial.append(contentsOf: entry.message)
            line(criPartial[...], token, metadata)
            criPartial.removeAll(keepingCapacity: true)
        }
    }

    // MARK: inotify

    private func watchDirectory(of path: String) {
        guard inotifyFD >= 0 else { return }
        var directories = [(path as NSString).deletingLastPathComponent]
        // A symlinked path (Kubernetes' /var/log/containers) is written in the target's directory.
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            let target = resolved.hasPrefix("/") ? resolved : ((directories[0] as NSString).appendingPathComponent(resolved))
            directories.append((target as NSString).deletingLastPathComponent)
        }
        for directory in directories where !watchedDirectories.contains(directory) {
            let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
            if inotify_add_watch(inotifyFD, directory.isEmpty ? "." : directory, mask) >= 0 {
                watchedDirectories.insert(directory)
            }
        }
    }

    private func drainInotify() {
        guard inotifyFD >= 0 else { return }
        while Foundation.read(inotifyFD, buffer.baseAddress, buffer.count) > 0 {}
    }
}
