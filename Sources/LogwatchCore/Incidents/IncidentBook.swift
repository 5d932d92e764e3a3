/// Groups classified records into incidents by rule and fingerprint, and decides which notices
/// are due. Time is an input: `add(_:time:)` and `advance(to:)` never read a clock.
///
/// The notice policy, in plain words (Alertmanager's vocabulary, applied to log incidents):
/// - the first notice for a new incident goes out `groupWait` after it opened; incidents of the
///   same group (class, by default) that open within that window share the notice;
/// - while records keep arriving, a digest with the new counts goes out at most every
///   `groupInterval` per group;
/// - an incident still firing gets a full reminder every `repeatInterval`, so it is not buried;
/// - after `resolveAfter` without records it is resolved: one notice with the total count and
///   duration, and the book forgets it (a later record opens a fresh incident).
///
/// Memory is bounded: at most `policy.maxOpenIncidents` are kept; beyond that the quietest are
/// dropped (they are the next to resolve anyway), counted, and reported in the next notice.
public struct IncidentBook: Sendable {
    public private(set) var incidents: [Incident] = []
    /// Changing the grouping (a config reload) regroups the incidents kept.
    public var policy: Policy {
        didSet {
            guard oldValue.groupBy != policy.groupBy else { return }
            for position in incidents.indices { incidents[position].group = policy.groupBy.key(for: incidents[position]) }
            groups = [:]
        }
    }
    /// Longest sample kept for an incident, in characters.
    public var sampleLimit = 2_000
    /// Incidents dropped by the memory cap since the book was made.
    public private(set) var evictedTotal = 0
    private var evictedUnreported = 0
    private var groups: [String: GroupState] = [:]
    private var index: [String: Int] = [:]
    private var redactor: Redactor

    struct GroupState: Sendable, Equatable {
        /// When the last digest of this group went out.
        var lastNoticeAt: Double
    }

    public init(policy: Policy = Policy(), redactor: Redactor = Redactor()) {
        self.policy = policy
        self.redactor = redactor
    }

    public static func key(rule: String, fingerprint: [String]) -> String {
        ([rule] + fingerprint).joined(separator: "\u{1F}")
    }

    /// The incident id a classification belongs to: a hash of its rule and fingerprint values.
    static func id(of classification: Classification) -> String {
        let key = Self.key(rule: classification.ruleID, fingerprint: classification.fingerprintValues)
        return "i-" + UnknownTemplate.hex(UnknownTemplate.fnv1a(key), digits: 12)
    }

    /// Adds one classified record; returns the incident and whether it is new.
    @discardableResult
    public mutating func add(_ classification: Classification, time: Double) -> (incident: Incident, isNew: Bool) {
        // The index is keyed by the id (a hash of the key) so a restored book needs no raw
        // fingerprint values, which may hold secrets the stored incident only has redacted.
        let id = Self.id(of: classification)
        let record = classification.record
        let sighting = Sighting(source: record.source, line: record.line, timestamp: record.timestamp, time: time)
        if let position = index[id] {
            incidents[position].count += 1
            incidents[position].last = sighting
            if incidents[position].announcedAt != nil { incidents[position].state = .updated }
            return (incidents[position], false)
        }
        if incidents.count >= max(1, policy.maxOpenIncidents) { evict() }
        var fingerprint: [String: String] = [:]
        if let rule = classification.rule {
            for name in rule.spec.fingerprint { fingerprint[name] = classification.fields[name] ?? "" }
        } else if let template = classification.template {
            fingerprint["template_id"] = template.id
        }
        var sample = redactor.redact(record.string)
        if sample.count > sampleLimit { sample = String(sample.prefix(sampleLimit)) + " …" }
        var incident = Incident(
            id: id,
            ruleID: classification.ruleID, ruleClass: classification.ruleClass, severity: classification.severity,
            title: classification.title, origin: classification.rule?.spec.origin,
            fields: redactor.redact(classification.fields), fingerprint: redactor.redact(fingerprint),
            count: 1, first: sighting, last: sighting, sample: sample, template: classification.template?.text)
        incident.group = policy.groupBy.key(for: incident)
        index[id] = incidents.count
        incidents.append(incident)
        return (incident, true)
    }

    /// Takes back one sighting added by `add` (an open record handed on early whose final form
    /// reads differently). An incident left with no sighting that nobody was told about is
    /// forgotten; one already announced keeps its count and resolves as usual.
    public mutating func retract(_ classification: Classification) {
        guard let position = index[Self.id(of: classification)] else { return }
        if incidents[position].count > 1 {
            incidents[position].count -= 1
            return
        }
        guard incidents[position].announcedAt == nil else { return }
        incidents.remove(at: position)
        index = [:]
        for (i, incident) in incidents.enumerated() { index[incident.id] = i }
    }

    /// Adds a deploy context to an incident (see `DeployCorrelator`).
    public mutating func annotate(_ id: String, deployContext: String) {
        guard let position = incidents.firstIndex(where: { $0.id == id }) else { return }
        incidents[position].deployContext = deployContext
    }

    /// Marks an incident as shown with its current count (terminal updates).
    public mutating func markNoticed(_ id: String, at time: Double) {
        guard let position = index[id] else { return }
        incidents[position].countAtLastNotice = incidents[position].count
        incidents[position].lastNoticeTime = time
    }

    /// Incidents with new records since their last terminal update, whose last update is at least
    /// `interval` seconds old; they are marked as shown. Independent of `advance(to:)`.
    public mutating func dueUpdates(at now: Double, interval: Double) -> [Incident] {
        var due: [Incident] = []
        for position in incidents.indices {
            let incident = incidents[position]
            guard incident.count > incident.countAtLastNotice else { continue }
            if let last = incident.lastNoticeTime, now - last < interval { continue }
            incidents[position].countAtLastNotice = incident.count
            incidents[position].lastNoticeTime = now
            due.append(incidents[position])
        }
        return due
    }

    // MARK: - Notice policy

    /// The notices due at `now`, in a stable order (group key, then firing, resolved, reminder,
    /// digest). Resolved incidents are forgotten once their notice is returned.
    public mutating func advance(to now: Double) -> [Notice] {
        var notices: [Notice] = []
        var positionsByGroup: [String: [Int]] = [:]
        for position in incidents.indices { positionsByGroup[incidents[position].group, default: []].append(position) }
        var forget: Set<Int> = []
        for group in positionsByGroup.keys.sorted() {
            let positions = positionsByGroup[group]!
            notices += firingNotices(group: group, positions: positions, now: now)
            // An incident announced in this same call is not due for anything else yet.
            let announced = positions.filter { incidents[$0].announcedAt != nil && incidents[$0].announcedAt! < now }

            let resolving = announced.filter { now - incidents[$0].last.time >= policy.resolveAfter }
            if !resolving.isEmpty {
                var items: [Notice.Item] = []
                for position in resolving {
                    incidents[position].state = .resolved
                    incidents[position].resolvedAt = now
                    items.append(report(position, now: now, full: false))
                    forget.insert(position)
                }
                notices.append(makeNotice(.resolved, group: group, items: items, now: now))
            }

            let firing = announced.filter { !forget.contains($0) }
            let reminding = policy.repeatInterval <= 0 ? []
                : firing.filter { now - (incidents[$0].lastFullNoticeAt ?? now) >= policy.repeatInterval }
            if !reminding.isEmpty {
                let items = reminding.map { report($0, now: now, full: true) }
                notices.append(makeNotice(.reminder, group: group, items: items, now: now))
            }

            // Digests: at most one per group every groupInterval, and only once some incident's
            // news is at least groupInterval older than its last notice; the others with news
            // ride along. Firing notices do not move the group's timer, so a stream of new
            // incidents cannot starve the digests of older ones.
            let news = firing.filter { incidents[$0].count > incidents[$0].reportedCount && !reminding.contains($0) }
            let lastDigest = groups[group]?.lastNoticeAt ?? -Double.infinity
            let ripe = news.contains { now - (incidents[$0].lastReportAt ?? now) >= policy.groupInterval }
            if ripe && now - lastDigest >= policy.groupInterval {
                let items = news.map { report($0, now: now, full: false) }
                groups[group] = GroupState(lastNoticeAt: now)
                notices.append(makeNotice(.digest, group: group, items: items, now: now))
            }
        }
        if !forget.isEmpty {
            incidents = incidents.enumerated().filter { !forget.contains($0.offset) }.map(\.element)
            rebuildIndex()
            let live = Set(incidents.map(\.group))
            groups = groups.filter { live.contains($0.key) }
        }
        return notices
    }

    /// The earliest time at which `advance(to:)` may return a notice, or nil when nothing is
    /// pending; a daemon can sleep until then (or until the next record).
    public func nextDeadline() -> Double? {
        var deadline: Double?
        func consider(_ time: Double) { deadline = min(deadline ?? time, time) }
        for incident in incidents {
            guard let announcedAt = incident.announcedAt else {
                consider(incident.first.time + policy.groupWait)
                continue
            }
            // Anything else waits at least until after the announcing call.
            let after = announcedAt.nextUp
            consider(max(after, incident.last.time + policy.resolveAfter))
            if policy.repeatInterval > 0 {
                consider(max(after, (incident.lastFullNoticeAt ?? announcedAt) + policy.repeatInterval))
            }
            if incident.count > incident.reportedCount {
                let ripe = (incident.lastReportAt ?? announcedAt) + policy.groupInterval
                let groupFree = (groups[incident.group]?.lastNoticeAt ?? -Double.infinity) + policy.groupInterval
                consider(max(after, ripe, groupFree))
            }
        }
        return deadline
    }

    /// Firing notices for a group: each batch starts with the oldest unannounced incident and
    /// takes every incident that opened within `groupWait` of it.
    private mutating func firingNotices(group: String, positions: [Int], now: Double) -> [Notice] {
        var waiting = positions.filter { incidents[$0].announcedAt == nil }
            .sorted { (incidents[$0].first.time, incidents[$0].id) < (incidents[$1].first.time, incidents[$1].id) }
        var notices: [Notice] = []
        while let oldest = waiting.first, incidents[oldest].first.time + policy.groupWait <= now {
            let windowEnd = incidents[oldest].first.time + policy.groupWait
            let batch = waiting.prefix { incidents[$0].first.time <= windowEnd }
            waiting.removeFirst(batch.count)
            var items: [Notice.Item] = []
            for position in batch {
                incidents[position].announcedAt = now
                items.append(report(position, now: now, full: true))
            }
            notices.append(makeNotice(.firing, group: group, items: items, now: now))
        }
        return notices
    }

    /// Records that a notice covers the incident, and returns its snapshot with the new count.
    private mutating func report(_ position: Int, now: Double, full: Bool) -> Notice.Item {
        let newCount = incidents[position].count - incidents[position].reportedCount
        incidents[position].reportedCount = incidents[position].count
        incidents[position].lastReportAt = now
        if full { incidents[position].lastFullNoticeAt = now }
        return Notice.Item(incident: incidents[position], newCount: newCount)
    }

    private mutating func makeNotice(_ kind: Notice.Kind, group: String, items: [Notice.Item], now: Double) -> Notice {
        let notice = Notice(kind: kind, time: now, group: group, items: items, evicted: evictedUnreported)
        evictedUnreported = 0
        return notice
    }

    /// Drops the quietest 1% (at least one) so a flood of distinct incidents costs O(log n) per
    /// record rather than a scan per record.
    private mutating func evict() {
        let cap = max(1, policy.maxOpenIncidents)
        let drop = max(1, incidents.count - cap + max(1, cap / 100))
        let victims = Set(incidents.indices.sorted {
            (incidents[$0].last.time, incidents[$0].id) < (incidents[$1].last.time, incidents[$1].id)
        }.prefix(drop))
        incidents = incidents.enumerated().filter { !victims.contains($0.offset) }.map(\.element)
        evictedTotal += victims.count
        evictedUnreported += victims.count
        rebuildIndex()
    }

    /// Group timers by group key, for the snapshot.
    var groupTimes: [String: Double] { groups.mapValues(\.lastNoticeAt) }
    var evictedUnreportedCount: Int { evictedUnreported }

    /// Restores a snapshot's state (see IncidentBook+Codable.swift).
    mutating func restore(incidents: [Incident], groups: [String: Double], evictedTotal: Int, evictedUnreported: Int) {
        self.incidents = incidents
        self.groups = groups.mapValues { GroupState(lastNoticeAt: $0) }
        self.evictedTotal = evictedTotal
        self.evictedUnreported = evictedUnreported
        rebuildIndex()
    }

    private mutating func rebuildIndex() {
        index = [:]
        for (position, incident) in incidents.enumerated() { index[incident.id] = position }
    }
}
