/// The parts of an http(s) URL that validation and masking need.
struct URLParts {
    var scheme: String
    /// `user:password@`, if present (a secret).
    var userinfo: String?
    var host: String
    var port: Int?
    /// The path, query and fragment: everything after the authority (may be empty).
    var path: String

    init?(_ url: String) {
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
