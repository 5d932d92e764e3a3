/// An operator's "I know; stop telling me" for a while: notices about the incidents it matches
/// are held back until it ends or is expired. Silenced incidents are still counted, kept and
/// shown (`/api/v1/incidents`, `logwatch status`); only their notices are not sent.
///
/// Matchers, as `logwatch silence add` takes them:
/// - `RULE-ID` (or `rule=RULE-ID`): every incident of that rule;
/// - `class=auth`: every incident of a class;
/// - `fingerprint=i-…` (or `incident=i-…`): one incident, by the id `logwatch status` shows
///   (a hash of the rule and its fingerprint values, the same on every host).
public struct Silence: Sendable, Codable, Equatable {
    public enum Matcher: Sendable, Equatable, CustomStringConvertible {
        case rule(String)
        case ruleClass(IncidentClass)
        case incident(String)

        /// Parses a matcher; the error is one line naming what was wrong.
        public static func parse(_ text: String) -> Result<Matcher, Problem> {
            let text = text.trimmingWhitespace
            let (key, value): (String, String)
            if let equals = text.firstIndex(of: "=") {
                key = String(text[..<equals])
                value = String(text[text.index(after: equals)...])
            } else {
                (key, value) = ("rule", text)
            }
            let idCharacters = { (value: String) in
                !value.isEmpty && value.count <= 128 && value.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            }
            switch key {
            case "rule":
                return idCharacters(value) ? .success(.rule(value))
                    : .failure(Problem("'\(value)' is not a rule id (a-z, 0-9 and '-'; see logwatch rules list)"))
            case "class":
                guard let incidentClass = IncidentClass(rawValue: value) else {
                    return .failure(Problem("'\(value)' is not a class (one of \(IncidentClass.allCases.map(\.rawValue).joined(separator: ", ")))"))
                }
                return .success(.ruleClass(incidentClass))
            case "fingerprint", "incident":
                return value.hasPrefix("i-") && idCharacters(value) ? .success(.incident(value))
                    : .failure(Problem("'\(value)' is not an incident id (i-… as logwatch status shows it)"))
            default:
                return .failure(Problem("unknown matcher '\(key)=' (use RULE-ID, class=CLASS or fingerprint=INCIDENT-ID)"))
            }
        }

        public var description: String {
            switch self {
            case .rule(let id): "rule=\(id)"
            case .ruleClass(let incidentClass): "class=\(incidentClass.rawValue)"
            case .incident(let id): "fingerprint=\(id)"
            }
        }

        public func matches(_ incident: Incident) -> Bool {
            switch self {
            case .rule(let id): incident.ruleID == id
            case .ruleClass(let incidentClass): incident.ruleClass == incidentClass
            case .incident(let id): incident.id == id
            }
        }
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public var id: String
    /// The matcher as written back by `Matcher.description` (always parses).
    public var matcher: String
    /// Seconds since 1970, from the caller's clock.
    public var createdAt: Double
    public var endsAt: Double
    public var comment: String

    enum CodingKeys: String, CodingKey {
        case id, matcher, createdAt = "created_at", endsAt = "ends_at", comment
    }

    public init(id: String, matcher: Matcher, createdAt: Double, endsAt: Double, comment: String) {
        self.id = id
        self.matcher = matcher.description
        self.createdAt = createdAt
        self.endsAt = endsAt
        self.comment = comment
    }

    public var parsedMatcher: Matcher? { try? Matcher.parse(matcher).get() }

    public func isActive(at now: Double) -> Bool { now < endsAt }

    public func matches(_ incident: Incident, at now: Double) -> Bool {
        isActive(at: now) && parsedMatcher?.matches(incident) == true
    }

    /// The active silence that holds back notices about `incident`, if any (the one ending last).
    public static func silencing(_ incident: Incident, among silences: [Silence], at now: Double) -> Silence? {
        silences.filter { $0.matches(incident, at: now) }.max { $0.endsAt < $1.endsAt }
    }

    /// `notice` without the incidents an active silence matches; nil when none is left. The
    /// incidents taken out are returned too, so the caller can count them.
    public static func filter(_ notice: Notice, silences: [Silence], at now: Double) -> (kept: Notice?, silenced: [Incident]) {
        guard silences.contains(where: { $0.isActive(at: now) }) else { return (notice, []) }
        var kept = notice
        var silenced: [Incident] = []
        kept.items = notice.items.filter { item in
            guard silencing(item.incident, among: silences, at: now) != nil else { return true }
            silenced.append(item.incident)
            return false
        }
        return (kept.items.isEmpty ? nil : kept, silenced)
    }
}
