/// Groups classified records into incidents by rule and fingerprint. Time is an input.
///
/// This first version counts and tracks first/last seen, and tells a terminal printer which
/// incidents changed since they were last shown; the full notice policy builds on it.
public struct IncidentBook: Sendable {
    public private(set) var incidents: [Incident] = []
    private var index: [String: Int] = [:]
    private let redactor: Redactor
    /// Longest sample kept for an incident, in characters.
    public var sampleLimit = 2_000

    public init(redactor: Redactor = Redactor()) {
        self.redactor = redactor
    }

    public static func key(rule: String, fingerprint: [String]) -> String {
        ([rule] + fingerprint).joined(separator: "\u{1F}")
    }

    /// Adds one classified record; returns the incident and whether it is new.
    @discardableResult
    public mutating func add(_ classification: Classification, time: Double) -> (incident: Incident, isNew: Bool) {
        let key = Self.key(rule: classification.ruleID, fingerprint: classification.fingerprintValues)
        let record = classification.record
        let sighting = Sighting(source: record.source, line: record.line, timestamp: record.timestamp, time: time)
        if let position = index[key] {
            incidents[position].count += 1
            incidents[position].last = sighting
            return (incidents[position], false)
        }
        var fingerprint: [String: String] = [:]
        if let rule = classification.rule {
            for name in rule.spec.fingerprint { fingerprint[name] = classification.fields[name] ?? "" }
        } else if let template = classification.template {
            fingerprint["template_id"] = template.id
        }
        var sample = redactor.redact(record.string)
        if sample.count > sampleLimit { sample = String(sample.prefix(sampleLimit)) + " …" }
        let incident = Incident(
            id: "i-" + UnknownTemplate.hex(UnknownTemplate.fnv1a(key), digits: 12),
            ruleID: classification.ruleID, ruleClass: classification.ruleClass, severity: classification.severity,
            title: classification.title, origin: classification.rule?.spec.origin,
            fields: redactor.redact(classification.fields), fingerprint: redactor.redact(fingerprint),
            count: 1, first: sighting, last: sighting, sample: sample, template: classification.template?.text)
        index[key] = incidents.count
        incidents.append(incident)
        return (incident, true)
    }

    /// Marks an incident as shown with its current count.
    public mutating func markNoticed(_ id: String, at time: Double) {
        guard let position = incidents.firstIndex(where: { $0.id == id }) else { return }
        incidents[position].countAtLastNotice = incidents[position].count
        incidents[position].lastNoticeTime = time
    }

    /// Incidents with new records since their last notice, whose last notice is at least
    /// `interval` seconds old; they are marked as shown.
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
}
