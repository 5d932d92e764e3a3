import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif

/// A path pattern with `*`, `?` or `[...]`, expanded again from time to time so files that
/// appear later (a new container, a new dated log) are picked up.
public struct FileGlob: Sendable {
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    public static func isPattern(_ path: String) -> Bool {
        path.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The regular files (or symlinks to them) that match now, sorted.
    public func expand() -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            guard let cString = result.gl_pathv[i] else { continue }
            let path = String(cString: cString)
            var st = stat()
            if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { paths.append(path) }
        }
        return paths.sorted()
    }
}
