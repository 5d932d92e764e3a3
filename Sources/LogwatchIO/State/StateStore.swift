// State/: what survives a restart (StateStore in SQLite via GRDB: positions, outbox, book;
// FileDatabaseCache). The edge. May use: GRDB, LogwatchCore.
// The map of all rooms: docs/architecture.md.

import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif
import GRDB

/// The daemon's durable state in one SQLite file: a position per source, the outbox of
/// notices waiting for delivery, and small named values (the incident book's snapshot).
///
/// Positions and the notices they produced are written in one transaction (`commit`), so a
/// crash can never keep a position whose notices were lost, nor notices whose position was
/// not kept: after a restart, reading resumes at the position and pending notices are sent.
public final class StateStore: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case unwritable(path: String, reason: String)
        case corrupt(path: String, reason: String)
        case failed(path: String, reason: String)

        public var description: String {
            switch self {
            case .unwritable(let path, let reason):
                return "the state directory \(path) is not writable (\(reason)); set --state-dir or state_dir to a writable directory"
            case .corrupt(let path, let reason):
                return "the state file \(path) is damaged (\(reason)); move it aside to start afresh (positions and pending notices in it would be lost)"
            case .failed(let path, let reason):
                return "the state file \(path) could not be updated (\(reason))"
            }
        }
    }

    /// A notice rendered for one sink, ready to send.
    public struct NewNotice: Sendable, Equatable {
        public var sink: String
        /// The notice's stable id (for logs and de-duplication by receivers).
        public var notice: String
        public var kind: String
        public var contentType: String
        public var body: [UInt8]

        public init(sink: String, notice: String, kind: String, contentType: String, body: [UInt8]) {
            self.sink = sink
            self.notice = notice
            self.kind = kind
            self.contentType = contentType
            self.body = body
        }
    }

    /// A notice in the outbox.
    public struct Pending: Sendable, Equatable {
        public var id: Int64
        public var notice: NewNotice
        public var created: Double
        public var attempts: Int
        public var nextAttempt: Double
        public var lastError: String?
    }

    /// What one checkpoint writes, all or nothing.
    public struct Checkpoint: Sendable {
        public var positions: [String: String] = [:]
        public var notices: [NewNotice] = []
        public var values: [String: [UInt8]] = [:]
        public init(positions: [String: String] = [:], notices: [NewNotice] = [], values: [String: [UInt8]] = [:]) {
            self.positions = positions
            self.notices = notices
            self.values = values
        }
        public var isEmpty: Bool { positions.isEmpty && notices.isEmpty && values.isEmpty }
    }

    public let path: String
    /// The outbox holds at most this many notices; beyond it the oldest are dropped and counted.
    public let outboxLimit: Int
    private let queue: DatabaseQueue

    public init(directory: String, outboxLimit: Int = 10_000) throws {
        path = (directory as NSString).appendingPathComponent("state.sqlite")
        self.outboxLimit = max(1, outboxLimit)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure.unwritable(path: directory, reason: Self.reason(error))
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw Failure.unwritable(path: directory, reason: String(cString: strerror(errno)))
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL keeps readers (delivery) off the writer's back; FULL makes each commit durable.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
            _ = try queue.read { db in try db.execute(sql: "SELECT count(*) FROM position") }
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw Failure.corrupt(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch let error as DatabaseError where [.SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM].contains(error.resultCode) {
            throw Failure.unwritable(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw Failure.failed(path: path, reason: Self.reason(error))
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE position (source TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sink TEXT NOT NULL, notice TEXT NOT NULL, kind TEXT NOT NULL,
                    content_type TEXT NOT NULL, body BLOB NOT NULL, created REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL, last_error TEXT);
                CREATE INDEX outbox_due ON outbox (sink, next_attempt);
                CREATE TABLE value (key TEXT PRIMARY KEY, data BLOB NOT NULL);
                CREATE TABLE dropped (sink TEXT PRIMARY KEY, count INTEGER NOT NULL);
                """)
        }
        return migrator
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw Failure.corrupt(path: path, reason: Self.reason(error))
        } catch {
            throw Failure.failed(path: path, reason: Self.reason(error))
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch {
            throw Failure.failed(path: path, reason: Self.reason(error))
        }
    }

    // MARK: Positions and values

    public func positions() throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, value FROM position") { result[row["source"]] = row["value"] }
            return result
        }
    }

    public func value(_ key: String) throws -> [UInt8]? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM value WHERE key = ?", arguments: [key]).map { [UInt8]($0) }
        }
    }

    /// Writes positions, new notices and values in one transaction. Returns how many old
    /// notices were dropped to keep the outbox within its limit.
    @discardableResult
    public func commit(_ checkpoint: Checkpoint, now: Double) throws -> Int {
        guard !checkpoint.isEmpty else { return 0 }
        return try write { db in
            for (source, value) in checkpoint.positions {
                try db.execute(sql: "INSERT OR REPLACE INTO position (source, value, updated) VALUES (?, ?, ?)",
                               arguments: [source, value, now])
            }
            for (key, data) in checkpoint.values {
                try db.execute(sql: "INSERT OR REPLACE INTO value (key, data) VALUES (?, ?)", arguments: [key, Data(data)])
            }
            for notice in checkpoint.notices {
                try db.execute(sql: """
                    INSERT INTO outbox (sink, notice, kind, content_type, body, created, next_attempt)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [notice.sink, notice.notice, notice.kind, notice.contentType, Data(notice.body), now, now])
            }
            guard !checkpoint.notices.isEmpty else { return 0 }
            let depth = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0
            let excess = depth - outboxLimit
            guard excess > 0 else { return 0 }
            // The oldest go first: a long outage keeps the most recent picture of what is wrong.
            let victims = try Row.fetchAll(db, sql: "SELECT id, sink FROM outbox ORDER BY id LIMIT ?", arguments: [excess])
            for row in victims {
                try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [row["id"] as Int64])
                try db.execute(sql: """
                    INSERT INTO dropped (sink, count) VALUES (?, 1)
                    ON CONFLICT(sink) DO UPDATE SET count = count + 1
                    """, arguments: [row["sink"] as String])
            }
            return victims.count
        }
    }

    // MARK: Outbox

    /// Notices for `sink` whose next attempt is due, oldest first.
    public func due(sink: String, now: Double, limit: Int = 16) throws -> [Pending] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE sink = ? AND next_attempt <= ? ORDER BY id LIMIT ?
                """, arguments: [sink, now, limit]).map(Self.pending)
        }
    }

    /// The oldest notice for `sink`, due or not. A delivery worker sends only this one, so a
    /// notice waiting for its retry holds back the ones behind it and each sink receives its
    /// notices in the order they were committed (a "resolved" never overtakes its "firing").
    public func oldest(sink: String) throws -> Pending? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE sink = ? ORDER BY id LIMIT 1", arguments: [sink]).map(Self.pending)
        }
    }

    /// When the next notice for `sink` becomes due, if any is waiting.
    public func nextDue(sink: String) throws -> Double? {
        try read { db in try Double.fetchOne(db, sql: "SELECT min(next_attempt) FROM outbox WHERE sink = ?", arguments: [sink]) }
    }

    static func pending(_ row: Row) -> Pending {
        let data: Data = row["body"]
        return Pending(id: row["id"],
                       notice: NewNotice(sink: row["sink"], notice: row["notice"], kind: row["kind"],
                                         contentType: row["content_type"], body: [UInt8](data)),
                       created: row["created"], attempts: row["attempts"], nextAttempt: row["next_attempt"],
                       lastError: row["last_error"])
    }

    /// The receiver accepted the notice: it leaves the outbox.
    public func delivered(_ id: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
    }

    /// The receiver refused the notice for good (a 4xx other than 429): it leaves the outbox.
    public func discard(_ id: Int64) throws {
        try delivered(id)
    }

    /// The attempt failed for a reason that may pass: try again at `time`.
    public func retry(_ id: Int64, attempts: Int, at time: Double, error: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?",
                           arguments: [attempts, time, String(error.prefix(500)), id])
        }
    }

    public func depth(sink: String? = nil) throws -> Int {
        try read { db in
            if let sink { return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE sink = ?", arguments: [sink]) ?? 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0
        }
    }

    /// How many notices for `sink` were dropped since the last call; the count is reset so the
    /// next notice can report it once.
    public func takeDropped(sink: String) throws -> Int {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT count FROM dropped WHERE sink = ?", arguments: [sink]) ?? 0
            if count > 0 { try db.execute(sql: "DELETE FROM dropped WHERE sink = ?", arguments: [sink]) }
            return count
        }
    }
}
