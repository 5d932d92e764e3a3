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

/// What is wrong with a configured source before anything reads it: a directory where a file
/// belongs, a device, a socket, a symbolic-link loop, a file logwatch may not read, a journal
/// directory that is not one, a container that does not exist. `Pipeline.attach` refuses such a
/// source and `config check` reports the same problems, so a config that passes the check
/// does not fail at start (or crash-loop under systemd).
///
/// A path that does not exist yet (or a symbolic link whose target does not) is no problem:
/// it is waited for, as `tail -F` does.
public enum SourceCheck {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "'\(path)': \(reason)" }
    }

    public static func problems(_ source: LogwatchConfig.Source) -> [Problem] {
        switch source {
        case .file(let file):
            return file.paths.compactMap(followable)
        case .cri(let cri):
            return cri.paths.compactMap(followable)
        case .docker(let docker):
            var problems = docker.paths.compactMap(followable)
            if let container = docker.container {
                do {
                    if let problem = followable(try DockerLogs.logPath(container: container)) { problems.append(problem) }
                } catch {
                    problems.append(Problem(path: container, reason: "\(error)"))
                }
            }
            return problems
        case .journal(let journal):
            guard let directory = journal.directory else { return [] }
            var st = stat()
            guard stat(directory, &st) == 0 else {
                return [Problem(path: directory, reason: "journal directory: \(String(cString: strerror(errno)))")]
            }
            guard st.st_mode & S_IFMT == S_IFDIR else {
                return [Problem(path: directory, reason: "is \(FileTailer.describe(st.st_mode & S_IFMT)), not a journal directory")]
            }
            if access(directory, R_OK | X_OK) != 0 {
                return [Problem(path: directory, reason: "journal directory: \(String(cString: strerror(errno)))")]
            }
            return []
        case .stdin:
            return []
        }
    }

    /// A path to follow: nil when it can be followed now or waited for.
    public static func followable(_ path: String) -> Problem? {
        if path.isEmpty { return Problem(path: path, reason: "an empty path") }
        guard !FileGlob.isPattern(path) else { return nil }
        var st = stat()
        if stat(path, &st) != 0 {
            let error = errno
            // Missing, or a dangling symbolic link: waited for, as tail -F does.
            if error == ENOENT { return nil }
            if error == ELOOP { return Problem(path: path, reason: "a loop of symbolic links") }
            return Problem(path: path, reason: String(cString: strerror(error)))
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR {
            return Problem(path: path, reason: "is a directory; to follow the files in it give a pattern such as '\(path.hasSuffix("/") ? path : path + "/")*.log'")
        }
        guard kind == S_IFREG || kind == S_IFIFO else {
            return Problem(path: path, reason: "is \(FileTailer.describe(kind)), not a file that can be followed")
        }
        if access(path, R_OK) != 0 {
            return Problem(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        return nil
    }

    /// A path `scan` reads whole: a directory, socket or device is an error ("0 matched" for a
    /// directory would be a false all-clear). `-` (standard input) is always fine.
    public static func scannable(_ path: String) -> Problem? {
        guard path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0 else {
            let error = errno
            return Problem(path: path, reason: error == ELOOP ? "a loop of symbolic links" : String(cString: strerror(error)))
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR { return Problem(path: path, reason: "is a directory; give the log files in it") }
        guard kind == S_IFREG || kind == S_IFIFO else {
            return Problem(path: path, reason: "is \(FileTailer.describe(kind)), not a log file")
        }
        return nil
    }
}

/// One or more configured sources that cannot be followed.
public struct SourceProblems: Error, CustomStringConvertible {
    public var problems: [SourceCheck.Problem]
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// Reads a small file an operator names (a config file, a credentials file) whole, refusing what
/// would hang or exhaust memory: a directory, a FIFO, a device (/dev/zero never ends), a file over
/// `limit` bytes.
public enum SmallFile {
    public static func read(_ path: String, limit: Int) throws(SourceCheck.Problem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let error = errno
            throw SourceCheck.Problem(path: path, reason: error == ELOOP ? "a loop of symbolic links" : String(cString: strerror(error)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SourceCheck.Problem(path: path, reason: String(cString: strerror(errno))) }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw SourceCheck.Problem(path: path, reason: "is \(FileTailer.describe(kind)), not a regular file")
        }
        guard Int(st.st_size) <= limit else {
            throw SourceCheck.Problem(path: path, reason: "is \(st.st_size) bytes; more than \(limit) is not a file of this kind")
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SourceCheck.Problem(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }
}
