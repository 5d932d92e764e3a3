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

/// Finds a Docker container's json-file log without asking the Docker daemon: the engine keeps
/// `<root>/containers/<id>/<id>-json.log` and the container's name in `config.v2.json`.
public enum DockerLogs {
    public enum Failure: Error, CustomStringConvertible {
        case noContainer(String, root: String)
        case ambiguous(String, [String])

        public var description: String {
            switch self {
            case .noContainer(let name, let root):
                return "no Docker container named or with id '\(name)' under \(root)/containers (is the json-file log driver in use, and may logwatch read that directory?)"
            case .ambiguous(let name, let ids):
                return "'\(name)' matches several containers: \(ids.map { String($0.prefix(12)) }.joined(separator: ", "))"
            }
        }
    }

    /// The engine's data root: `$DOCKER_ROOT`, else `/var/lib/docker`.
    public static var defaultRoot: String {
        ProcessInfo.processInfo.environment["DOCKER_ROOT"] ?? "/var/lib/docker"
    }

    /// The log path for a container name (with or without `/`) or id prefix.
    public static func logPath(container: String, root: String = defaultRoot) throws -> String {
        let containers = (root as NSString).appendingPathComponent("containers")
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: containers)) ?? []
        let wanted = container.hasPrefix("/") ? String(container.dropFirst()) : container
        var found = ids.filter { $0 == wanted }
        if found.isEmpty {
            found = ids.filter { id in
                guard let data = FileManager.default.contents(atPath: "\(containers)/\(id)/config.v2.json"),
                      let object = JSONLine.parseObject(Array(data)[...]) else { return false }
                return object["Name"] == "/" + wanted
            }
        }
        if found.isEmpty, wanted.count >= 4, wanted.allSatisfy(\.isHexDigit) {
            found = ids.filter { $0.hasPrefix(wanted) }
        }
        guard !found.isEmpty else { throw Failure.noContainer(container, root: root) }
        guard found.count == 1 else { throw Failure.ambiguous(container, found) }
        return "\(containers)/\(found[0])/\(found[0])-json.log"
    }
}
