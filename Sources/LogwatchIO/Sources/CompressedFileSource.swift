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

/// A compressed generation (logrotate's `.gz`, or bzip2, xz, zstd) that a followed pattern
/// matched: decoded and read whole, once, in order; it never grows, so there is nothing to follow
/// after. Found at start (without `--from-start`) it is taken as read, as a plain file would be
/// read from its end. A file that cannot be decoded is reported as an error event, never silently
/// taken as empty. Tokens are offsets in the decoded text, so a restart resumes after the last
/// record handed over.
final class CompressedFileSource: LogSource {
    let path: String
    var key: String { "file:" + path }
    var label: String { path }

    private var fd: Int32 = -1
    private var decoder: Decompressor?
    private var identity: FileIdentity?
    private var lines = LineAssembler(maxLineBytes: 1 << 20)
    /// Decoded bytes handed to `lines` so far, and how many of them to skip (a restored position).
    private var decoded: Int64 = 0
    private var skip: Int64 = 0
    private var done: Bool
    private var events: [SourceEvent] = []
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(path: String, fromStart: Bool) {
        self.path = path
        done = !fromStart
        if !done { open() }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    var waitDescriptor: Int32? { nil }

    func takeEvents() -> [SourceEvent] {
        defer { events.removeAll() }
        return events
    }

    private func open() {
        fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0, let format = FileReader.compression(ofFileAt: path) else {
            fail("cannot be opened as a compressed file")
            return
        }
        identity = FileIdentity.of(fd: fd, limit: FileIdentity.headLimit)
        do {
            decoder = try Decompressor(format)
            events.append(SourceEvent(.opened, source: path, "a \(format.rawValue) generation appeared; reading it whole"))
        } catch {
            fail("\(error)")
        }
    }

    private func fail(_ reason: String) {
        events.append(SourceEvent(.error, source: path, "\(reason); its lines were not read"))
        done = true
        if fd >= 0 { close(fd); fd = -1 }
    }

    func restore(_ checkpoint: String) {
        let parts = checkpoint.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let offset = Int64(parts[0]), let saved = FileIdentity(parts[1]) else { return }
        if fd < 0 { open() }
        guard fd >= 0, saved.matches(fd: fd) else { return }
        // The same file: skip what was handed over before the restart (decoding again is the only way there).
        done = false
        skip = offset
    }

    func read(maxLines: Int, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void) -> ReadStatus {
        guard !done, let decoder else { return .more }
        var delivered = 0
        while delivered < maxLines && !done {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            do {
                if n <= 0 {
                    try decoder.finish()
                    if let partial = lines.takePartial() { deliver(partial[...], decoded, line, &delivered) }
                    done = true
                    break
                }
                try buffer.withUnsafeBytes { raw in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { block in
                        let start = decoded
                        _ = lines.feed(block) { text, end in deliver(text, start + Int64(end), line, &delivered) }
                        decoded += Int64(block.count)
                    }
                }
            } catch {
                fail("\(error)")
            }
        }
        if done, fd >= 0 { close(fd); fd = -1 }
        return .more
    }

    private func deliver(_ text: ArraySlice<UInt8>, _ token: Int64, _ line: (ArraySlice<UInt8>, Int64, EntryMetadata?) -> Void,
                         _ delivered: inout Int) {
        guard token > skip else { return }
        line(text, token, nil)
        delivered += 1
    }

    func checkpoint(after token: Int64) -> String? {
        identity.map { "\(token) \($0)" }
    }
}
