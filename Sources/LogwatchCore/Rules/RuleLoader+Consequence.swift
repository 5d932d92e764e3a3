import Yams

extension RuleLoader {
    static let consequenceKeys = ["rules", "classes", "origins", "same", "within", "as"]

    /// `consequence_of: {rules: [...], classes: [...], origins: [...], same: [...], within: 60, as: consequence}`.
    func parseConsequence(_ node: Node, problem: (Int, String, String) -> Void) -> Consequence? {
        let key = "consequence_of"
        guard let mapping = node.mapping else {
            problem(node.mark?.line ?? 1, key, "must be a mapping with rules or classes, and within")
            return nil
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { continue }
            guard Self.consequenceKeys.contains(name) else {
                problem(keyNode.mark?.line ?? 1, "\(key).\(name)",
                        "unknown key (allowed: \(Self.consequenceKeys.joined(separator: ", ")))")
                continue
            }
            values[name] = value
        }
        func list(_ name: String) -> [(String, Int)] {
            guard let node = values[name] else { return [] }
            guard let sequence = node.sequence else {
                problem(node.mark?.line ?? 1, "\(key).\(name)", "must be a list")
                return []
            }
            return sequence.enumerated().compactMap { index, item in
                guard let text = item.scalar?.string, !text.isEmpty else {
                    problem(item.mark?.line ?? 1, "\(key).\(name)[\(index)]", "must be a non-empty text")
                    return nil
                }
                return (text, item.mark?.line ?? 1)
            }
        }
        var result = Consequence(within: 0)
        result.rules = Set(list("rules").map(\.0))
        for (text, line) in list("classes") {
            if let value = IncidentClass(rawValue: text), IncidentClass.reported.contains(value) { result.classes.insert(value) } else {
                problem(line, "\(key).classes", "unknown class '\(text)' (one of \(IncidentClass.reported.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        for (text, line) in list("origins") {
            if let value = Origin(rawValue: text) { result.origins.insert(value) } else {
                problem(line, "\(key).origins", "unknown origin '\(text)' (one of \(Origin.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        result.same = list("same").map(\.0)
        if result.rules.isEmpty && result.classes.isEmpty {
            problem(node.mark?.line ?? 1, key, "names no cause: give rules, classes or both")
        }
        if let within = values["within"] {
            if let text = within.scalar?.string, let seconds = Double(text), seconds > 0, seconds.isFinite {
                result.within = seconds
            } else {
                problem(within.mark?.line ?? 1, "\(key).within", "must be a positive number of seconds")
            }
        } else {
            problem(node.mark?.line ?? 1, "\(key).within", "missing: how many seconds after its cause a record still joins it")
        }
        if let kind = values["as"] {
            if let text = kind.scalar?.string, let value = Consequence.Kind(rawValue: text) { result.kind = value } else {
                problem(kind.mark?.line ?? 1, "\(key).as", "must be one of \(Consequence.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return result
    }
}
