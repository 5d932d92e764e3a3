import CLineScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Masks secrets in any text before it leaves the process: provider and virtual keys,
/// bearer tokens, key hashes, Azure-style keys in key contexts, `api_key=` values, AWS access
/// keys and Google API keys. The last 4 characters stay visible so an operator can still tell
/// keys apart.
public struct Redactor: Sendable {
    /// Each pattern marks the secret part with the group `secret`.
    public static let patterns: [String] = [
        // OpenAI / LiteLLM virtual keys, Anthropic keys (`sk-ant-...`), project keys (`sk-proj-...`).
        #"\bsk-(?<secret>[A-Za-z0-9_\-]{8,})"#,
        #"(?i)\bbearer\s+(?<secret>[A-Za-z0-9._~+/=\-]{8,})"#,
        // LiteLLM stores virtual keys as SHA-256 hashes; they are credentials in their own right.
        #"(?<![0-9a-fA-F])(?<secret>[0-9a-fA-F]{64})(?![0-9a-fA-F])"#,
        // `os.environ/NAME` is LiteLLM's reference to an environment variable, not a secret: the
        // quick fixes show config lines such as `api_key: os.environ/AZURE_API_KEY` and must stay usable.
        #"(?i)(?:api[_-]?key|subscription[_-]?key|ocp-apim-subscription-key|access[_-]?key|secret|password|token)['"]?\s*[:=]\s*['"]?(?!os\.environ/)(?<secret>[^\s'",;&}]{6,})"#,
        #"(?i)\bx-(?:api|goog-api|litellm-api)-key['"]?\s*[:=]\s*['"]?(?:Bearer\s+)?(?<secret>[^\s'",;}]{6,})"#,
        #"(?i)(?:key|api-key)[\s"':=]+(?<secret>[0-9a-f]{32})(?![0-9a-f])"#,
        #"\b(?<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b"#,
        #"\b(?<secret>AIza[0-9A-Za-z_\-]{35})"#,
        #"[?&](?:key|sig|token|code)=(?<secret>[^&\s'"]{6,})"#,
        #"(?i)postgres(?:ql)?://[^:/\s]+:(?<secret>[^@\s]+)@"#,
        #"(?i)redis(?:s)?://[^:/\s]*:(?<secret>[^@\s]+)@"#,
        #"\bxox[abprs]-(?<secret>[A-Za-z0-9-]{10,})"#,
        #"hooks\.slack\.com/services/(?<secret>[A-Za-z0-9/]+)"#,
        #"discord(?:app)?\.com/api/webhooks/(?<secret>[0-9]+/[A-Za-z0-9_\-]+)"#,
    ]

    /// Per pattern, lowercase strings of which at least one is in any text the pattern can
    /// match (nil: always run it). Checked on an ASCII-lowercased copy, a superset of the
    /// case-sensitive ones: a text without any of them cannot hold that kind of secret, so
    /// most texts skip most PCRE2 runs.
    static let triggers: [[String]?] = [
        ["sk-"],
        ["bearer"],
        nil, // 64 hex digits: checked by `hasHexRun`
        ["key", "secret", "password", "token"],
        ["key"],
        ["key"],
        ["akia", "asia"],
        ["aiza"],
        ["key=", "sig=", "token=", "code="],
        ["postgres"],
        ["redis"],
        ["xox"],
        ["hooks.slack.com/services/"],
        ["discord"],
    ]

    private let compiled: [PCRE2Pattern]
    private let groups: [Int]
    /// Off only in tests, to prove the triggers change nothing.
    var usesTriggers = true

    public init() {
        // The patterns are fixed in code and covered by tests; a failure here is a bug.
        compiled = Self.patterns.map { try! PCRE2Pattern($0) }
        groups = compiled.map { pattern in pattern.names.first { $0.name == "secret" }!.group }
    }

    /// The trigger words as one Hyperscan database, caseless; an expression's id is its pattern's index.
    static let triggerDatabase: HyperscanDatabase? = {
        var expressions: [HyperscanDatabase.Expression] = []
        for (index, words) in triggers.enumerated() {
            for word in words ?? [] {
                let hex = Array("0123456789abcdef".utf8)
                let literal = String(decoding: word.utf8.flatMap { [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int($0 >> 4)], hex[Int($0 & 15)]] },
                                     as: UTF8.self)
                expressions.append(.init(pattern: "(?i)" + literal, id: UInt32(index), prefilter: false))
            }
        }
        return try? HyperscanDatabase(expressions: expressions)
    }()

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { n in
            haystack.withUnsafeBufferPointer { h in
                // memchr to each place the first byte occurs, then compare the rest.
                guard let base = h.baseAddress, n.count > 0, h.count >= n.count else { return false }
                var from = 0
                let last = h.count - n.count
                while from <= last, let hit = memchr(base + from, Int32(n[0]), last - from + 1) {
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                    from = at + 1
                }
                return false
            }
        }
    }

    static func asciiLowercased(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
            bytes.withUnsafeBufferPointer { p in
                for i in 0..<p.count {
                    let c = p[i]
                    out[i] = c &- 0x41 < 26 ? c | 0x20 : c
                }
            }
            count = bytes.count
        }
    }

    static func hasHexRun(_ bytes: [UInt8], _ length: Int) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return false }
            return lw_has_hex_run(base, p.count, length) != 0
        }
    }

    /// The mask for one secret: `****` and its last 4 characters (all of it hidden when short).
    public static func mask(_ secret: Substring) -> String {
        secret.count > 8 ? "****" + secret.suffix(4) : "****"
    }

    public func redact(_ text: String) -> String {
        // One copy of the bytes for all patterns; a String is built only when something changed.
        var bytes = Array(text.utf8)
        let changed = mask(&bytes)
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// `redact` of an ASCII text as bytes, without a String either way (`scan` renders a
    /// record's text straight from its bytes). Only for ASCII: `redact` of other text also
    /// repairs invalid UTF-8 and masks whole characters, which a String takes care of.
    public func redact(ascii bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        _ = mask(&bytes)
        return bytes
    }

    /// Masks every secret in `bytes`; whether any was found.
    private func mask(_ bytes: inout [UInt8]) -> Bool {
        var changed = false
        let candidates = usesTriggers ? Self.triggered(bytes) : ~0
        for (index, pattern) in compiled.enumerated() where candidates & (1 << index) != 0 {
            if let masked = apply(pattern, group: groups[index], to: bytes) {
                bytes = masked
                changed = true
            }
        }
        return changed
    }

    /// Bit `i` set: pattern `i` can match `bytes` (one of its trigger words is there, or for the
    /// hash pattern a run of 64 hex digits). One Hyperscan scan finds every trigger word at
    /// once; a search per word (memchr for its first letter, then compare) cost more than the
    /// patterns it saved, since letters like `k` and `s` are everywhere.
    static func triggered(_ bytes: [UInt8]) -> Int {
        var mask = 0
        for (index, words) in triggers.enumerated() where words == nil { mask |= 1 << index }
        if !hasHexRun(bytes, 64) { mask &= ~(1 << 2) }
        guard let scanner = TriggerScanner.current else {
            // No Hyperscan database (cannot happen with the fixed words): run every pattern.
            return ~0
        }
        let hits = bytes.withUnsafeBytes { scanner.scan($0) }
        for id in hits { mask |= 1 << Int(id) }
        return mask
    }

    /// Redacts field values; a field whose name says it holds a credential is masked whole,
    /// since a bare secret carries no pattern a text scan could recognise.
    public func redact(_ fields: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in fields { out[name] = redact(field: name, value: value) }
        return out
    }

    public func redact(field name: String, value: String) -> String {
        guard Self.isSecretName(name), !value.isEmpty else { return redact(value) }
        if value.hasPrefix("****") || value.hasPrefix("...") || value.hasPrefix("os.environ/") { return value }
        return Self.mask(value[...])
    }

    /// Field names that hold credentials (`api_key`, `client_secret`, `key_hash`, ...), but not
    /// names that merely mention them (`key_alias`, `token_limit`).
    public static func isSecretName(_ name: String) -> Bool {
        let lowered = name.lowercased().replacingDashes
        if secretNames.contains(lowered) { return true }
        return secretSuffixes.contains { lowered.hasSuffix($0) }
    }

    static let secretNames: Set<String> = [
        "api_key", "apikey", "secret", "password", "passwd", "authorization", "token", "bearer", "key_hash",
        "private_key", "credential", "credentials", "cookie", "subscription_key", "master_key", "sig", "signature",
    ]
    static let secretSuffixes = ["_secret", "_password", "_api_key", "_token", "_key_hash", "_private_key", "_master_key"]

    /// The bytes with this pattern's secrets masked; nil when it found none.
    private func apply(_ pattern: PCRE2Pattern, group: Int, to bytes: [UInt8]) -> [UInt8]? {
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let range = pattern.groupRange(group, in: buffer, from: offset) {
                if !range.secret.isEmpty { ranges.append(range.secret) }
                offset = max(range.match.upperBound, range.match.lowerBound + 1)
            }
        }
        guard !ranges.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for range in ranges where range.lowerBound >= cursor {
            out += bytes[cursor..<range.lowerBound]
            let secret = String(decoding: bytes[range], as: UTF8.self)
            // Already masked (by LiteLLM or by an earlier pattern): leave it.
            if secret.hasPrefix("****") || secret.hasPrefix("...") {
                out += bytes[range]
            } else {
                out += Array(Self.mask(secret[...]).utf8)
            }
            cursor = range.upperBound
        }
        out += bytes[cursor...]
        return out
    }
}

extension String {
    fileprivate var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}

extension PCRE2Pattern {
    /// The byte range of the whole match and of one capture group, from `offset` on.
    func groupRange(_ group: Int, in bytes: UnsafeRawBufferPointer, from offset: Int)
        -> (match: Range<Int>, secret: Range<Int>)? {
        var secret: Range<Int>?
        let outcome = runWithOvector(bytes, from: offset) { ovector in
            let start = ovector[2 * group], end = ovector[2 * group + 1]
            if start != cpcre2_unset_value, end >= start { secret = start..<end }
        }
        guard case .match(let start, let end) = outcome else { return nil }
        return (start..<end, secret ?? end..<end)
    }
}

/// A `HyperscanScanner` for the trigger words per thread: `Redactor` is a value shared by every
/// thread, and Hyperscan scratch space may only be used by one at a time.
enum TriggerScanner {
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { pointer in
            if let pointer { Unmanaged<HyperscanScanner>.fromOpaque(pointer).release() }
        }) == 0 else { return nil }
        return key
    }()

    static var current: HyperscanScanner? {
        guard let key, let database = Redactor.triggerDatabase else { return nil }
        if let existing = pthread_getspecific(key) {
            return Unmanaged<HyperscanScanner>.fromOpaque(existing).takeUnretainedValue()
        }
        let scanner = HyperscanScanner(database: database)
        pthread_setspecific(key, Unmanaged.passRetained(scanner).toOpaque())
        return scanner
    }
}
