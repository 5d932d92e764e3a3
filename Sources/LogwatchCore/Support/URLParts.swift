/// The parts of an http(s) URL that validation and masking need: the one URL parser of
/// logwatch (config validation, `config check`, the webhook sinks' validation and log lines).
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    /// `user:password@`, if present (a secret).
    public var userinfo: String?
    /// The host; an IPv6 literal keeps its brackets (`[::1]`).
    public var host: String
    public var port: Int?
    /// The path, query and fragment: everything after the authority (may be empty).
    public var path: String

    /// How much of a URL a masked form keeps.
    public enum Mask: Sendable {
        /// `scheme://host[:port]/…`: enough to tell sinks apart in log lines and metrics.
        case host
        /// `scheme://[****@]host[:port]/****abcd`: the path's last 4 characters, the `Redactor`
        /// convention, so `config check` shows which credential was read.
        case pathTail
    }

    /// The one masked form of a URL (a webhook URL is a credential: whoever holds it can post);
    /// nil when `url` is not an http(s) URL with a host.
    public static func mask(_ url: String, _ style: Mask) -> String? {
        guard let parts = URLParts(url) else { return nil }
        var text = "\(parts.scheme)://"
        if style == .pathTail, parts.userinfo != nil { text += "****@" }
        text += parts.host
        if let port = parts.port { text += ":\(port)" }
        switch style {
        case .host:
            return text + "/…"
        case .pathTail:
            if parts.path.isEmpty || parts.path == "/" { return text + parts.path }
            return text + "/" + Redactor.mask(parts.path.dropFirst())
        }
    }

    public init?(_ url: String) {
        guard !url.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return nil }
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        // IPv6 literal: [::1]:9093
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.startIndex...close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { port = nil } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let value = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = value
        } else {
            host = String(authority)
            port = nil
        }
        guard !host.isEmpty else { return nil }
    }
}
