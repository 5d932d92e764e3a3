import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif

/// Which file a position belongs to: device and inode, plus a hash of the first bytes so that a
/// reused inode (a deleted file's number given to a new file) is not taken for the old file.
struct FileIdentity: Equatable, CustomStringConvertible {
    /// How many leading bytes the hash covers once the file is that long.
    static let headLimit = 1024

    var device: UInt64
    var inode: UInt64
    /// How many leading bytes `headHash` covers (fewer while the file is still short).
    var headLength: Int
    var headHash: UInt64

    var description: String { "\(device) \(inode) \(headLength) \(String(headHash, radix: 16))" }

    init(device: UInt64, inode: UInt64, headLength: Int, headHash: UInt64) {
        self.device = device
        self.inode = inode
        self.headLength = headLength
        self.headHash = headHash
    }

    /// Parses the text form written by `description`.
    init?(_ text: Substring) {
        let parts = text.split(separator: " ")
        guard parts.count == 4, let device = UInt64(parts[0]), let inode = UInt64(parts[1]),
              let length = Int(parts[2]), let hash = UInt64(parts[3], radix: 16) else { return nil }
        self.init(device: device, inode: inode, headLength: length, headHash: hash)
    }

    /// Reads the identity of an open file, hashing at most `limit` leading bytes.
    static func of(fd: Int32, limit: Int = headLimit) -> FileIdentity? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var head = [UInt8](repeating: 0, count: limit)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, limit, 0) }
        let length = max(0, n)
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), headLength: length,
                            headHash: fnv1a(head[0..<length]))
    }

    /// Whether the file open at `fd` is this one: same device and inode, and its first
    /// `headLength` bytes hash the same.
    func matches(fd: Int32) -> Bool {
        guard let other = FileIdentity.of(fd: fd, limit: headLength) else { return false }
        return other.device == device && other.inode == inode && other.headLength == headLength && other.headHash == headHash
    }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
