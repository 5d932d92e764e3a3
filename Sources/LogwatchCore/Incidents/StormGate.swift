/// Storm control for one sink: at most `perMinute` notices in any 60-second window. Updates and
/// reminders beyond the cap are held back and folded into one `suppressed` notice ("N more
/// incidents suppressed: 3 updates, 1 reminder held back") that goes out as soon as the window
/// has room again. An incident's first notice and its resolve are never folded: an operator
/// must learn that something broke and that it stopped; they go out and use up the window.
/// Pure: time is an input.
///
/// A chat channel wants this; Alertmanager does its own grouping and should not be gated.
public struct StormGate: Sendable, Codable {
    /// Notices allowed per window; 0 turns the gate off.
    public var perMinute: Int
    public var window: Double = 60
    /// How many held incidents the suppressed notice lists by name.
    public var listed = 10

    /// Send times inside the current window, oldest first.
    private var sent: [Double] = []
    private var heldIDs: Set<String> = []
    private var heldItems: [Notice.Item] = []
    private var heldNotices = 0
    private var heldEvicted = 0
    private var heldDropped = 0
    /// Held notices by kind (`Notice.Kind` raw values), for the fold to say what it folded.
    private var heldKinds: [String: Int] = [:]

    public init(perMinute: Int = 20) {
        self.perMinute = perMinute
    }

    /// Incidents held back and not yet reported.
    public var pendingSuppressed: Int { heldIDs.count }
    /// Notices held back and not yet reported.
    public var pendingNotices: Int { heldNotices }

    /// The notices to send now for `notice`: the pending "suppressed" summary first when there
    /// is one and room for it, then the notice itself if the cap allows; otherwise it is held.
    public mutating func admit(_ notice: Notice, at now: Double) -> [Notice] {
        guard perMinute > 0 else { return [notice] }
        var out: [Notice] = []
        if let summary = flush(at: now) { out.append(summary) }
        if notice.kind == .firing || notice.kind == .resolved {
            _ = hasRoom(at: now)
            sent.append(now)
            out.append(notice)
        } else if hasRoom(at: now) {
            sent.append(now)
            out.append(notice)
        } else {
            hold(notice)
        }
        return out
    }

    /// The pending summary if the window has room for it now, else nil. Call it on a timer (see
    /// `nextDeadline`) so the summary goes out even when no new notice arrives.
    public mutating func flush(at now: Double) -> Notice? {
        guard heldNotices > 0, hasRoom(at: now) else { return nil }
        sent.append(now)
        let summary = Notice(kind: .suppressed, time: now, group: "storm", items: heldItems,
                             suppressed: heldIDs.count, evicted: heldEvicted, dropped: heldDropped, folded: heldKinds)
        heldKinds = [:]
        heldIDs = []
        heldItems = []
        heldNotices = 0
        heldEvicted = 0
        heldDropped = 0
        return summary
    }

    /// When the window next has room for a pending summary (possibly already past); nil when
    /// nothing is held.
    public func nextDeadline() -> Double? {
        guard heldNotices > 0 else { return nil }
        guard sent.count >= perMinute else { return sent.last ?? 0 }
        // The send that must leave the window before one more fits.
        return sent[sent.count - perMinute] + window
    }

    private mutating func hasRoom(at now: Double) -> Bool {
        // Times can step back (a caller's clock); treat a send in the future as just now.
        sent.removeAll { now - $0 >= window }
        return sent.count < perMinute
    }

    private mutating func hold(_ notice: Notice) {
        heldNotices += 1
        heldKinds[notice.kind.rawValue, default: 0] += 1
        heldEvicted += notice.evicted
        heldDropped += notice.dropped
        for item in notice.items where heldIDs.insert(item.incident.id).inserted {
            if heldItems.count < listed { heldItems.append(item) }
        }
    }
}
