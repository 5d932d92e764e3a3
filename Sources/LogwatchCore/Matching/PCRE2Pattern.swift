import CPCRE2
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One PCRE2 pattern, JIT-compiled when possible, with match and depth limits so no input can
/// make it run away. Used only to confirm prefilter hits and to read named captures.
public final class PCRE2Pattern: @unchecked Sendable {
    public struct CompileError: Error, Sendable {
        public var offset: Int
        public var reason: String
    }

    private let code: OpaquePointer
    private let context: OpaquePointer?
    /// JIT compilation waits for the first match: most patterns only ever run on the few
    /// records Hyperscan flags, and compiling ~600 of them up front costs startup time and
    /// megabytes of executable memory. The lock orders the one JIT compile before every match;
    /// `jitDone`, set after it, spares later matches the lock (scan's worker threads share
    /// every pattern, and a mutex taken per match made them queue on its cache line).
    private let jitLock: UnsafeMutablePointer<pthread_mutex_t>
    private let jitDone = Atomic<Bool>(false)
    public let source: String
    /// Capture group names with their group numbers.
    public let names: [(name: String, group: Int)]

    private var jitCompiled = false
    /// Groups plus the whole match: whether this thread's shared match data can hold them.
    private let fitsSharedMatchData: Bool

    /// Whether PCRE2 JIT-compiled this pattern (compiling it now if it was not used yet); when
    /// not, matching uses the interpreter.
    public var isJITCompiled: Bool {
        ensureJIT()
        pthread_mutex_lock(jitLock)
        defer { pthread_mutex_unlock(jitLock) }
        return jitCompiled
    }

    /// Whether the JIT works in this process (it does not under systemd's MemoryDenyWriteExecute=yes).
    public static var jitAvailable: Bool { (try? PCRE2Pattern("jit-probe"))?.isJITCompiled ?? false }

    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000

    public init(_ pattern: String, caseless: Bool = false) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options = UInt32(PCRE2_MULTILINE)
        if caseless { options |= UInt32(PCRE2_CASELESS) }
        let compiled = pattern.withCString { p in
            pcre2_compile_8(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self),
                            cpcre2_zero_terminated(), options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let reason = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            throw CompileError(offset: errorOffset, reason: reason)
        }
        code = compiled
        jitLock = .allocate(capacity: 1)
        pthread_mutex_init(jitLock, nil)
        let ctx = pcre2_match_context_create_8(nil)
        if let ctx {
            pcre2_set_match_limit_8(ctx, Self.matchLimit)
            pcre2_set_depth_limit_8(ctx, Self.depthLimit)
        }
        context = ctx
        source = pattern
        names = Self.readNames(compiled)
        var captures: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        fitsSharedMatchData = Int(captures) + 1 <= Self.sharedPairs
    }

    /// Match data is per thread and reused by every pattern (PCRE2 allows any pattern to use
    /// any match data large enough): creating and freeing it per match cost a malloc and a
    /// free for each of the dozens of matches a record takes.
    static let sharedPairs = 64
    private static let matchDataKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { data in
            if let data { pcre2_match_data_free_8(OpaquePointer(data)) }
        }
        return key
    }()

    private static func sharedMatchData() -> OpaquePointer? {
        if let data = pthread_getspecific(matchDataKey) { return OpaquePointer(data) }
        guard let data = pcre2_match_data_create_8(UInt32(sharedPairs), nil) else { return nil }
        pthread_setspecific(matchDataKey, UnsafeRawPointer(data))
        return data
    }

    deinit {
        pthread_mutex_destroy(jitLock)
        jitLock.deallocate()
        pcre2_code_free_8(code)
        if let context { pcre2_match_context_free_8(context) }
    }

    private static func readNames(_ code: OpaquePointer) -> [(String, Int)] {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard count > 0, let table else { return [] }
        var result: [(String, Int)] = []
        for i in 0..<Int(count) {
            let entry = table + i * Int(entrySize)
            let group = Int(entry[0]) << 8 | Int(entry[1])
            var name: [UInt8] = []
            var j = 2
            while j < Int(entrySize), entry[j] != 0 { name.append(entry[j]); j += 1 }
            result.append((String(decoding: name, as: UTF8.self), group))
        }
        return result
    }

    /// The outcome of one match attempt.
    public enum Outcome: Sendable, Equatable {
        case match(start: Int, end: Int)
        case noMatch
        /// The match or depth limit was hit: treated as no match, and counted by callers.
        case limitExceeded
    }

    func runWithOvector(_ bytes: UnsafeRawBufferPointer, from offset: Int,
                        _ body: (UnsafeMutablePointer<Int>) -> Void) -> Outcome {
        run(bytes, from: offset, body)
    }

    /// Whether the pattern matches the empty text, without JIT-compiling it (the rule compiler
    /// asks this of every pattern).
    public func matchesEmptyText() -> Bool {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return false }
        defer { pcre2_match_data_free_8(data) }
        var empty: UInt8 = 0
        pthread_mutex_lock(jitLock)
        let rc = pcre2_match_8(code, &empty, 0, 0, UInt32(PCRE2_NO_JIT), data, context)
        pthread_mutex_unlock(jitLock)
        return rc >= 0
    }

    private func ensureJIT() {
        if jitDone.load(ordering: .acquiring) { return }
        pthread_mutex_lock(jitLock)
        if !jitDone.load(ordering: .relaxed) {
            // JIT is an optimisation: under MemoryDenyWriteExecute (no W+X memory) it fails, and
            // pcre2_match_8 then runs the interpreter on the same code. Never call pcre2_jit_match.
            jitCompiled = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
            jitDone.store(true, ordering: .releasing)
        }
        pthread_mutex_unlock(jitLock)
    }

    private func run(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0,
                     _ body: (UnsafeMutablePointer<Int>) -> Void = { _ in }) -> Outcome {
        ensureJIT()
        // Callers read the ovector in `body` and match nothing else meanwhile, so the shared
        // match data cannot be overwritten while in use.
        let shared = fitsSharedMatchData ? Self.sharedMatchData() : nil
        guard let data = shared ?? pcre2_match_data_create_from_pattern_8(code, nil) else { return .noMatch }
        defer { if shared == nil { pcre2_match_data_free_8(data) } }
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var empty: UInt8 = 0
        let rc = withUnsafePointer(to: &empty) { emptyPointer in
            pcre2_match_8(code, base ?? emptyPointer, bytes.count, offset, 0, data, context)
        }
        if rc == PCRE2_ERROR_NOMATCH { return .noMatch }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
            return .limitExceeded
        }
        guard rc >= 0, let ovector = pcre2_get_ovector_pointer_8(data) else { return .noMatch }
        body(ovector)
        return .match(start: ovector[0], end: ovector[1])
    }

    public func firstMatch(in bytes: UnsafeRawBufferPointer, from offset: Int = 0) -> Outcome {
        run(bytes, from: offset)
    }

    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if case .match = run(bytes) { return true }
        return false
    }

    /// Named captures of the first match; groups that did not take part are left out.
    public func captures(in bytes: UnsafeRawBufferPointer) -> [String: String]? {
        var result: [String: String] = [:]
        let outcome = run(bytes) { ovector in
            let unset = cpcre2_unset()
            for (name, group) in names {
                let start = ovector[2 * group], end = ovector[2 * group + 1]
                guard start != unset, end != unset, end >= start else { continue }
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                result[name] = String(decoding: slice, as: UTF8.self)
            }
        }
        if case .match = outcome { return result }
        return nil
    }
}

let cpcre2_unset_value = cpcre2_unset()

extension PCRE2Pattern {
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    public func captures(in text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { captures(in: UnsafeRawBufferPointer($0)) }
    }
}
