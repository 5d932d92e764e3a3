/// Decides where a classified record belongs, so that one failure makes one incident. LiteLLM
/// logs one failed request several times: the router's `litellm.acompletion(model=…) Exception`
/// line, the proxy's `Exception occured - …` line (with `Received Model Group=…`), debug copies,
/// the uvicorn access line, and what the failure caused next (a router cooldown, a DB outage's
/// follow-ups). Each would otherwise open an incident of its own and page someone again.
///
/// - A record of a rule with `consequence_of:` joins a recent incident of a cause it names
///   (same source and close by for evidence such as access lines; the `same` fields agreeing)
///   and opens one of its own only when no cause is recent enough.
/// - A record of the same rule whose fingerprint is a less specific or differently spelled form
///   of a recent incident's (`azure/gpt-4o` vs `azure-gpt-4o`, an empty `db_host`) joins it, and
///   its fingerprint is remembered as an alias of that incident; so does a record carrying the
///   same `litellm_call_id` as a recent one.
/// - A DEBUG copy of a record just counted is a repeat: one record's worth.
///
/// Pure: time comes in with each record. Memory is bounded (recent list, alias and request maps).
public struct Correlator: Sendable, Codable {
    public struct Settings: Sendable, Codable, Equatable {
        /// Seconds within which another wording of a recent incident's error joins it.
        public var formWindow: Double = 60
        /// Seconds within which a DEBUG copy of a record is a repeat.
        public var repeatWindow: Double = 2
        /// Evidence (an access line) joins a cause in the same source at most this many lines after it.
        public var maxLineGap = 500
        /// A DEBUG copy is a repeat only this many lines from the record it copies (same source).
        public var maxRepeatLineGap = 50
        /// Incidents considered as causes and forms: the most recently touched.
        public var recentLimit = 64

        public init() {}
    }

    /// Where a record goes: its own incident (new or not), or an incident it joins.
    public enum Placement: Sendable, Equatable {
        case own(id: String)
        case join(id: String, role: Evidence.Role)
    }

    public var settings = Settings()
    /// Rules whose records are evidence (`consequence_of: {as: evidence}`, access lines): their
    /// incidents are never causes nor forms of one another. Code, not state: set from the rule
    /// set after decoding.
    public var dependentRules: Set<String> = []
    private var recent: [String] = []
    private var aliases: [String: String] = [:]
    private var byRequest: [String: String] = [:]
    /// The last own record of each incident: its first line's end, and whether it had a timestamp.
    private var lastOwn: [String: Copy] = [:]

    struct Copy: Sendable, Codable, Equatable {
        var tail: String
        var stamped: Bool

        init(_ record: LogRecord) {
            let firstLine = record.text.prefix { $0 != 0x0A }
            tail = String(decoding: firstLine.suffix(160), as: UTF8.self)
            stamped = record.timestamp != nil
        }
    }

    enum CodingKeys: String, CodingKey { case settings, recent, aliases, byRequest, lastOwn }

    static let mapLimit = 10_000
    /// Fields that name a deployment or a model group.
    static let nameFields: Set<String> = ["model_group", "deployment", "model"]

    /// The class of each rule whose records join another incident as its consequence: an access
    /// line is evidence of an incident that took in a consequence of its class (the 429 a router
    /// cooldown answers, when the cooldown joined the provider errors that caused it).
    public var consequenceClasses: [String: IncidentClass] = [:]

    public init(ruleSet: RuleSet? = nil) {
        if let ruleSet { configure(for: ruleSet) }
    }

    /// What the correlator needs to know of the rule set (on start and on every reload).
    public mutating func configure(for ruleSet: RuleSet) {
        dependentRules = Self.dependentRules(in: ruleSet)
        consequenceClasses = [:]
        for rule in ruleSet.rules where rule.spec.consequenceOf?.kind == .consequence {
            consequenceClasses[rule.id] = rule.spec.ruleClass
        }
    }

    public static func dependentRules(in ruleSet: RuleSet) -> Set<String> {
        Set(ruleSet.rules.filter { $0.spec.consequenceOf?.kind == .evidence }.map(\.id))
    }

    /// Decides where `classification` goes, given the book as it stands; remembers aliases.
    public mutating func place(_ classification: Classification, time: Double, book: IncidentBook) -> Placement {
        let record = classification.record
        if let consequence = classification.rule?.spec.consequenceOf,
           let cause = findCause(consequence, classification, time: time, book: book) {
            return .join(id: cause, role: consequence.kind == .evidence ? .evidence : .consequence)
        }
        let ownID = IncidentBook.id(for: classification)
        var target: String?
        var isForm = false
        if book.incident(id: ownID) != nil {
            target = ownID
        } else if let alias = aliases[ownID], book.incident(id: alias) != nil {
            target = alias
            isForm = true
        } else if let request = classification.fields["request_id"], !request.isEmpty, let id = byRequest[request],
                  let incident = book.incident(id: id), time - incident.last.time <= settings.formWindow {
            target = id
            isForm = true
        } else if let form = findForm(classification, time: time, book: book) {
            Self.remember(&aliases, ownID, form)
            target = form
            isForm = true
        }
        if let request = classification.fields["request_id"], !request.isEmpty {
            Self.remember(&byRequest, request, target ?? ownID)
        }
        guard let target, let incident = book.incident(id: target) else {
            Self.remember(&lastOwn, ownID, Copy(record))
            return .own(id: ownID)
        }
        if isRepeat(record, of: incident, time: time) { return .join(id: target, role: .repeat) }
        Self.remember(&lastOwn, target, Copy(record))
        return isForm ? .join(id: target, role: .form) : .own(id: ownID)
    }

    /// Keeps `id` among the recent incidents (most recent last).
    public mutating func touch(_ id: String) {
        if recent.last == id { return }
        if let position = recent.lastIndex(of: id) { recent.remove(at: position) }
        recent.append(id)
        if recent.count > settings.recentLimit { recent.removeFirst(recent.count - settings.recentLimit) }
    }

    private func findCause(_ consequence: Consequence, _ classification: Classification, time: Double,
                           book: IncidentBook) -> String? {
        let record = classification.record
        for id in recent.reversed() {
            guard let cause = book.incident(id: id), !dependentRules.contains(cause.ruleID),
                  cause.ruleID != classification.ruleID,
                  consequence.rules.contains(cause.ruleID) || consequence.classes.contains(cause.ruleClass)
                    || (consequence.kind == .evidence && cause.signatures.keys.contains {
                        consequenceClasses[$0].map(consequence.classes.contains) == true }),
                  consequence.origins.isEmpty || cause.origin.map { consequence.origins.contains($0) } == true,
                  time - cause.last.time <= consequence.within, time >= cause.first.time
            else { continue }
            if consequence.kind == .evidence {
                // The access line a failed request leaves is written right after its error.
                guard cause.last.source == record.source else { continue }
                let gap = record.line - cause.last.line
                guard gap >= 0 && gap <= settings.maxLineGap else { continue }
            }
            let agree = consequence.same.allSatisfy { name in
                guard let mine = classification.fields[name], !mine.isEmpty,
                      let theirs = cause.fields[name] ?? cause.fingerprint[name], !theirs.isEmpty else { return false }
                return Self.sameName(mine, theirs)
            }
            if agree { return id }
        }
        return nil
    }

    /// A recent incident of the same rule whose fingerprint this record's agrees with, each field
    /// equal, spelled differently for the same name, or missing on one side.
    private func findForm(_ classification: Classification, time: Double, book: IncidentBook) -> String? {
        guard let rule = classification.rule, !dependentRules.contains(rule.id) else { return nil }
        for id in recent.reversed() {
            guard let incident = book.incident(id: id), incident.ruleID == rule.id,
                  abs(time - incident.last.time) <= settings.formWindow else { continue }
            let agree = rule.spec.fingerprint.allSatisfy { name in
                let mine = classification.fields[name] ?? "", theirs = incident.fingerprint[name] ?? ""
                if mine.isEmpty || theirs.isEmpty || Self.sameName(mine, theirs) { return true }
                // The router names the deployment (`openai/gpt-4o`), the proxy the model group
                // (`openai-401`): which group holds which deployment is only in the proxy's
                // config, so within the window a deployment and a group name agree.
                return Self.nameFields.contains(name) && mine.contains("/") != theirs.contains("/")
            }
            if agree { return id }
        }
        return nil
    }

    /// A DEBUG copy of an ERROR record (or the other way round), or the same message written
    /// again by a second log handler (Python's plain `LEVEL:logger:message` beside LiteLLM's
    /// coloured, timestamped line).
    private func isRepeat(_ record: LogRecord, of incident: Incident, time: Double) -> Bool {
        guard time - incident.last.time <= settings.repeatWindow else { return false }
        let debugCopy = (record.level == "DEBUG") != (incident.lastLevel == "DEBUG")
        let handlerCopy = lastOwn[incident.id].map { last in
            let copy = Copy(record)
            return copy.stamped != last.stamped && copy.tail == last.tail
        } ?? false
        guard debugCopy || handlerCopy else { return false }
        if record.source == incident.last.source {
            let gap = record.line - incident.last.line
            return gap >= 0 && gap <= settings.maxRepeatLineGap
        }
        return true
    }

    private static func remember<Value>(_ map: inout [String: Value], _ key: String, _ value: Value) {
        if map.count >= Self.mapLimit && map[key] == nil { map.removeAll(keepingCapacity: true) }
        map[key] = value
    }

    /// Whether two spellings name the same deployment or model group: equal once case and
    /// punctuation are dropped (`azure/gpt-4o`, `azure-gpt-4o`), or once a provider prefix is
    /// (`azure/gpt-4o`, `gpt-4o`).
    public static func sameName(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func variants(_ text: String) -> [String] {
            func squeeze(_ part: Substring) -> String { String(part.lowercased().filter { $0.isLetter || $0.isNumber }) }
            let whole = squeeze(Substring(text))
            guard let slash = text.lastIndex(of: "/") else { return [whole] }
            return [whole, squeeze(text[text.index(after: slash)...])]
        }
        let mine = variants(a), theirs = variants(b)
        return mine.contains { !$0.isEmpty && theirs.contains($0) }
    }
}
