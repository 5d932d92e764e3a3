import Foundation
import LogwatchCore
import Synchronization

/// The operator's silences, kept in memory for the pipeline and in the state file (one named
/// value, written at once on every change) so they survive restarts; a reload does not touch
/// them. Thread-safe: the HTTP listener adds and expires, the pipeline reads.
public final class SilenceStore: Sendable {
    static let key = "silences"
    /// Expired silences stay listed this long, then are forgotten.
    public static let keepExpired: Double = 86_400

    let store: StateStore
    private let silences: Mutex<[Silence]>

    /// Reads the saved silences; a value that does not decode (another version) starts empty
    /// rather than stopping the daemon, and says so through `problem`.
    public init(store: StateStore, problem: (String) -> Void = { _ in }) throws {
        self.store = store
        var saved: [Silence] = []
        if let data = try store.value(Self.key) {
            do {
                saved = try JSONDecoder().decode([Silence].self, from: Data(data))
            } catch {
                problem("The saved silences could not be read; none are active (\(error)).")
            }
        }
        silences = Mutex(saved)
    }

    /// Every silence, active first, newest first.
    public var all: [Silence] {
        silences.withLock { $0 }.sorted { ($0.endsAt, $0.id) > ($1.endsAt, $1.id) }
    }

    public func active(at now: Double) -> [Silence] { all.filter { $0.isActive(at: now) } }

    /// Adds a silence from `now` for `duration` seconds and writes it before returning.
    public func add(_ matcher: Silence.Matcher, duration: Double, comment: String, now: Double) throws -> Silence {
        let id = "s-" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
        let silence = Silence(id: id, matcher: matcher, createdAt: now, endsAt: now + duration, comment: comment)
        try change(now: now) { $0.append(silence) }
        return silence
    }

    /// Ends a silence now; nil when no silence has that id.
    public func expire(_ id: String, now: Double) throws -> Silence? {
        var ended: Silence?
        try change(now: now) { list in
            guard let index = list.firstIndex(where: { $0.id == id }) else { return }
            list[index].endsAt = min(list[index].endsAt, now)
            ended = list[index]
        }
        return ended
    }

    /// Applies `edit` and writes the result; on a write failure the memory stays as it was, so
    /// what the daemon obeys is always what a restart would find.
    private func change(now: Double, _ edit: (inout [Silence]) -> Void) throws {
        try silences.withLock { current in
            var next = current
            edit(&next)
            next.removeAll { now - $0.endsAt > Self.keepExpired }
            let data = try JSONEncoder().encode(next)
            _ = try store.commit(StateStore.Checkpoint(values: [Self.key: [UInt8](data)]), now: now)
            current = next
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
