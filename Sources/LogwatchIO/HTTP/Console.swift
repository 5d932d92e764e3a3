import Foundation
import LogwatchCore

/// What the listener's console endpoints need from the daemon: the current snapshot, the
/// silences, a test send, and who may write.
///
/// Reading (`/api/v1/incidents`, `/incidents`, `GET /api/v1/silences`) is open to whoever can
/// reach the listener: nothing in it is secret (the snapshot is redacted). Writing (adding or
/// expiring silences, test sends) can hide alerts or spam a channel, so it is answered only
/// on loopback, or to `Authorization: Bearer TOKEN` with the token from `http.token_file`.
public struct Console: Sendable {
    /// The result of one test send on one delivery lane.
    public struct TestResult: Sendable, Codable, Equatable {
        public var lane: String
        /// The lane's URL, masked.
        public var url: String
        /// delivered, retry-later or refused.
        public var outcome: String
        public var status: Int?
        public var detail: String?

        public init(lane: String, url: String, outcome: String, status: Int?, detail: String?) {
            self.lane = lane
            self.url = url
            self.outcome = outcome
            self.status = status
            self.detail = detail
        }
    }

    public var snapshot: @Sendable () -> IncidentSnapshot
    public var silences: SilenceStore
    /// Sends a marked test notice through every lane of the named sink; nil for no such sink.
    public var notifyTest: @Sendable (String) async -> [TestResult]?
    /// The bearer token that lets a non-loopback client write; nil: only loopback may.
    public var token: String?
    public var now: @Sendable () -> Double

    public init(snapshot: @escaping @Sendable () -> IncidentSnapshot, silences: SilenceStore,
                notifyTest: @escaping @Sendable (String) async -> [TestResult]?, token: String?,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.snapshot = snapshot
        self.silences = silences
        self.notifyTest = notifyTest
        self.token = token
        self.now = now
    }

    /// Why a write is refused, or nil when it may go ahead. `loopback`: the peer's address is
    /// 127.0.0.0/8 or ::1. `authorization`: the request's header, if any.
    public func refusal(loopback: Bool, authorization: String?) -> Refusal? {
        if loopback { return nil }
        guard let token else { return .notLoopback }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return .missingToken }
        return Self.constantTimeEqual(Array(authorization.dropFirst("Bearer ".count).utf8), Array(token.utf8)) ? nil : .wrongToken
    }

    public enum Refusal: String, Sendable, CaseIterable {
        /// No token is configured, and the client is not on loopback.
        case notLoopback = "not_loopback"
        case missingToken = "missing_token"
        case wrongToken = "wrong_token"

        public var message: String {
            switch self {
            case .notLoopback: "writes are answered only on loopback (set http.token_file to allow a bearer token)"
            case .missingToken: "this endpoint needs Authorization: Bearer TOKEN"
            case .wrongToken: "the bearer token is wrong"
            }
        }
    }

    /// Compares without stopping at the first difference, so timing tells nothing about the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0xFF)
        }
        return difference == 0
    }

    /// Whether an address (as NIO prints it: `127.0.0.1`, `::1`, `::ffff:127.0.0.1`) is loopback.
    public static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
