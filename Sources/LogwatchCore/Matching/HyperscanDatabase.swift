import CHyperscan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One compiled Hyperscan block-mode database holding every detection pattern.
///
/// Immutable after creation and safe to share; each scanning thread needs its own
/// `HyperscanScanner` (Hyperscan scratch space is per thread).
public final class HyperscanDatabase: @unchecked Sendable {
    /// One expression as Hyperscan receives it.
    public struct Expression: Sendable {
        public var pattern: String
        public var id: UInt32
        public var prefilter: Bool
    }

    /// A pattern Hyperscan refused, with the index of the expression and its reason.
    public struct CompileFailure: Error, Sendable {
        public var index: Int
        public var reason: String
    }

    let database: OpaquePointer
    public let expressions: [Expression]

    /// Compiles all expressions into one database.
    ///
    /// Patterns that Hyperscan cannot run exactly (backreferences, lookaround) are retried
    /// with `HS_FLAG_PREFILTER`: they may then over-match, so callers confirm with PCRE2.
    /// A pattern that fails even as a prefilter is reported as a `CompileFailure`.
    public init(expressions input: [Expression]) throws(CompileFailure) {
        var expressions = input
        while true {
            switch Self.compile(expressions) {
            case .success(let db):
                self.database = db
                self.expressions = expressions
                return
            case .failure(let failure):
                guard failure.index >= 0, failure.index < expressions.count,
                      !expressions[failure.index].prefilter
                else { throw failure }
                // Retry with this expression as a prefilter; a second failure on it is final.
                expressions[failure.index].prefilter = true
            }
        }
    }

    /// No `HS_FLAG_SINGLEMATCH`: a whole block of records is scanned at once (`scanEnds`),
    /// and every match's end offset is needed to tell which record it belongs to.
    static func flags(prefilter: Bool) -> UInt32 {
        var flags = UInt32(HS_FLAG_MULTILINE)
        if prefilter { flags |= UInt32(HS_FLAG_PREFILTER) }
        return flags
    }

    private static func compile(_ expressions: [Expression]) -> Result<OpaquePointer, CompileFailure> {
        let patterns = expressions.map { strdup($0.pattern) }
        defer { patterns.forEach { free($0) } }
        var cPatterns: [UnsafePointer<CChar>?] = patterns.map { UnsafePointer($0) }
        var flags = expressions.map { Self.flags(prefilter: $0.prefilter) }
        var ids = expressions.map { $0.id }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = cPatterns.withUnsafeMutableBufferPointer { p in
            flags.withUnsafeMutableBufferPointer { f in
                ids.withUnsafeMutableBufferPointer { i in
                    hs_compile_multi(p.baseAddress, f.baseAddress, i.baseAddress, UInt32(expressions.count),
                                     UInt32(HS_MODE_BLOCK), nil, &db, &error)
                }
            }
        }
        if rc == HS_SUCCESS, let db { return .success(db) }
        let reason = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "hs_compile_multi failed (\(rc))"
        let index = Int(error?.pointee.expression ?? -1)
        if let error { hs_free_compile_error(error) }
        return .failure(CompileFailure(index: index, reason: reason))
    }

    deinit { hs_free_database(database) }

    /// The database as bytes, for `HyperscanDatabaseCache`.
    public func serialized() -> [UInt8]? {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &bytes, &length) == HS_SUCCESS, let bytes else { return nil }
        defer { free(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// Rebuilds a database from `serialized()` bytes; nil when Hyperscan refuses them.
    init?(serialized bytes: [UInt8], expressions: [Expression]) {
        var db: OpaquePointer?
        let rc = bytes.withUnsafeBytes { raw in
            hs_deserialize_database(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count, &db)
        }
        guard rc == HS_SUCCESS, let db else { return nil }
        // A database tuned for another CPU may use instructions this one lacks: check it can scan.
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS else {
            hs_free_database(db)
            return nil
        }
        hs_free_scratch(scratch)
        self.database = db
        self.expressions = expressions
    }

    /// Everything a compiled database depends on besides the expressions: the Hyperscan
    /// version and the CPU features it was built for.
    static var hostDescription: String {
        var platform = hs_platform_info_t()
        _ = hs_populate_platform(&platform)
        let version = hs_version().map { String(cString: $0) } ?? "?"
        return "hyperscan \(version) tune \(platform.tune) features \(platform.cpu_features)"
    }
}

/// Per-thread scanning state for a `HyperscanDatabase`.
public final class HyperscanScanner {
    private let database: HyperscanDatabase
    private var scratch: OpaquePointer?
    private let state: State

    /// What the match callback writes to, passed through Hyperscan's `void *context`.
    final class State {
        var hits: [UInt32] = []
        /// Whether an id is already in `hits` during the current scan.
        var seen: [Bool]
        var ends: [(id: UInt32, end: Int)] = []

        init(count: Int) { seen = Array(repeating: false, count: count) }
    }

    public init(database: HyperscanDatabase) {
        self.database = database
        self.state = State(count: database.expressions.count)
        _ = hs_alloc_scratch(database.database, &scratch)
    }

    deinit { if let scratch { hs_free_scratch(scratch) } }

    /// Returns the ids of every expression that matched somewhere in `bytes` (each id once).
    public func scan(_ bytes: UnsafeRawBufferPointer) -> [UInt32] {
        state.hits.removeAll(keepingCapacity: true)
        guard let scratch, let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), !bytes.isEmpty
        else { return [] }
        let length = UInt32(min(bytes.count, Int(UInt32.max)))
        _ = hs_scan(database.database, base, length, 0, scratch, { id, _, _, _, context in
            let state = Unmanaged<State>.fromOpaque(context!).takeUnretainedValue()
            if !state.seen[Int(id)] {
                state.seen[Int(id)] = true
                state.hits.append(id)
            }
            return 0
        }, Unmanaged.passUnretained(state).toOpaque())
        for id in state.hits { state.seen[Int(id)] = false }
        return state.hits
    }

    static let endsLimit = 1 << 18

    /// Every match in `bytes` as (expression id, end offset), in the order Hyperscan reports them.
    /// nil when there were more than `endsLimit` matches (or the scan failed).
    public func scanEnds(_ bytes: UnsafeRawBufferPointer) -> [(id: UInt32, end: Int)]? {
        state.ends.removeAll(keepingCapacity: true)
        guard let scratch, let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), !bytes.isEmpty
        else { return [] }
        let length = UInt32(min(bytes.count, Int(UInt32.max)))
        let rc = hs_scan(database.database, base, length, 0, scratch, { id, _, to, _, context in
            let state = Unmanaged<State>.fromOpaque(context!).takeUnretainedValue()
            state.ends.append((id, Int(to)))
            // Bounded memory: past the limit the caller treats the whole block as matching.
            return state.ends.count >= HyperscanScanner.endsLimit ? 1 : 0
        }, Unmanaged.passUnretained(state).toOpaque())
        return rc == HS_SUCCESS ? state.ends : nil
    }
}
