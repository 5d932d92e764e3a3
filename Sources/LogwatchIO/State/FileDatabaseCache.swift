import Foundation
import LogwatchCore

/// Compiled Hyperscan databases kept as files: `$LOGWATCH_CACHE_DIR`, else systemd's
/// `$CACHE_DIRECTORY`, else `$XDG_CACHE_HOME/logwatch`, else `~/.cache/logwatch`. `LOGWATCH_CACHE_DIR=off` disables it.
/// Every failure (read-only home, full disk) just means compiling again.
public struct FileDatabaseCache: HyperscanDatabaseCache {
    public let directory: String
    /// Entries kept; older ones (rule sets edited since) are removed when a new one is stored.
    public var limit = 8

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache the commands use, or nil when it is switched off or there is no home.
    public static func standard() -> FileDatabaseCache? {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["LOGWATCH_CACHE_DIR"] {
            return dir.isEmpty || dir == "off" ? nil : FileDatabaseCache(directory: dir)
        }
        // systemd's CacheDirectory= (the unit sets it; its home is hidden by ProtectHome=).
        if let dir = environment["CACHE_DIRECTORY"], dir.hasPrefix("/") { return FileDatabaseCache(directory: dir) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return FileDatabaseCache(directory: xdg + "/logwatch") }
        if let home = environment["HOME"], home.hasPrefix("/") { return FileDatabaseCache(directory: home + "/.cache/logwatch") }
        return nil
    }

    func path(_ key: String) -> String { directory + "/hs-" + key + ".bin" }

    public func load(key: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return Array(data)
    }

    public func store(key: String, bytes: [UInt8]) {
        let fm = FileManager.default
        guard (try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return }
        // Written aside and renamed, so a concurrent reader sees the old entry or the whole new one.
        let temporary = path(key) + ".\(getpid()).tmp"
        guard fm.createFile(atPath: temporary, contents: Data(bytes)) else { return }
        if rename(temporary, path(key)) != 0 {
            try? fm.removeItem(atPath: temporary)
            return
        }
        prune(keeping: path(key))
    }

    private func prune(keeping current: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        let entries = names.filter { $0.hasPrefix("hs-") && $0.hasSuffix(".bin") }.map { directory + "/" + $0 }
        guard entries.count > limit else { return }
        let dated = entries.filter { $0 != current }.map { path -> (String, Date) in
            (path, (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast)
        }.sorted { $0.1 < $1.1 }
        for (path, _) in dated.prefix(entries.count - limit) { try? fm.removeItem(atPath: path) }
    }
}
