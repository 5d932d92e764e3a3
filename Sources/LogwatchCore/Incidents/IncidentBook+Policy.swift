extension IncidentBook {
    /// When notices go out. The defaults suit a chat channel: a short wait to batch related
    /// first events, digests at most every five minutes, a reminder every four hours, and a
    /// resolve after fifteen quiet minutes. All values are seconds; the config file's
    /// `group_wait`, `group_interval`, `repeat_interval` and `resolve_after` map onto them.
    public struct Policy: Sendable, Codable, Equatable {
        /// What incidents are batched by in one notice.
        public enum GroupBy: String, Sendable, Codable, CaseIterable {
            /// Incidents of the same class (auth, quota, ...) share notices.
            case `class`
            /// Incidents of the same rule share notices.
            case rule
            /// Every incident has its own notices.
            case incident

            func key(for incident: Incident) -> String {
                switch self {
                case .class: incident.ruleClass.rawValue
                case .rule: incident.ruleClass.rawValue + "/" + incident.ruleID
                case .incident: incident.ruleClass.rawValue + "/" + incident.id
                }
            }
        }

        public var groupWait: Double
        public var groupInterval: Double
        /// 0 turns reminders off.
        public var repeatInterval: Double
        public var resolveAfter: Double
        public var groupBy: GroupBy
        /// Most incidents kept at once; the quietest are dropped (and counted) beyond it.
        public var maxOpenIncidents: Int

        public init(groupWait: Double = 10, groupInterval: Double = 300, repeatInterval: Double = 14_400,
                    resolveAfter: Double = 900, groupBy: GroupBy = .class, maxOpenIncidents: Int = 10_000) {
            self.groupWait = groupWait
            self.groupInterval = groupInterval
            self.repeatInterval = repeatInterval
            self.resolveAfter = resolveAfter
            self.groupBy = groupBy
            self.maxOpenIncidents = maxOpenIncidents
        }

        /// Problems with the values, each naming its config key; empty when usable.
        public var problems: [String] {
            var problems: [String] = []
            for (key, value) in [("group_wait", groupWait), ("group_interval", groupInterval),
                                 ("repeat_interval", repeatInterval), ("resolve_after", resolveAfter)] {
                if !value.isFinite || value < 0 { problems.append("\(key) must be a non-negative number of seconds, not \(value)") }
            }
            if resolveAfter.isFinite && groupWait.isFinite && resolveAfter <= groupWait {
                problems.append("resolve_after (\(resolveAfter) s) must be longer than group_wait (\(groupWait) s)")
            }
            if maxOpenIncidents < 1 { problems.append("max_open_incidents must be at least 1, not \(maxOpenIncidents)") }
            return problems
        }
    }
}
