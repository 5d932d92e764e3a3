import Yams

/// Parses rule files into `RuleSpec`s, collecting every problem with its file, line and field.
///
/// Pure: it takes file names and contents; reading the directory is the caller's job.
public struct RuleLoader: Sendable {
    public static let topLevelKeys: Set<String> = [
        "id", "class", "origin", "severity", "title", "priority", "match", "unless", "extract",
        "fingerprint", "entry", "examples", "counterexamples",
    ]

    public init() {}

    /// Loads every file; returns every rule that parsed (check `problems` before using them)
    /// and every problem found.
    public func load(files: [(path: String, contents: String)]) -> (rules: [RuleSpec], problems: [RuleProblem]) {
        var rules: [RuleSpec] = []
        var problems: [RuleProblem] = []
        var seen: [String: String] = [:]
        for file in files {
            var local: [RuleProblem] = []
            if let rule = parse(path: file.path, contents: file.contents, problems: &local) {
                if let first = seen[rule.id] {
                    local.append(RuleProblem(file: file.path, line: rule.line(of: "id"), field: "id",
                                             message: "duplicate id '\(rule.id)', already defined in \(first)"))
                } else {
                    seen[rule.id] = file.path
                }
                // Kept even with problems, so the compiler can report its own (patterns,
                // fingerprints) in the same run: every problem at once.
                rules.append(rule)
            }
            problems += local
        }
        return (rules, problems)
    }

    /// Parses one rule file exactly as `Yams.compose(yaml:)` with its default resolver would.
    /// That resolver matches every plain scalar against its tag regexes with NSRegularExpression,
    /// which pages in ICU's regex engine and data: ~1.7 MB of the peak RSS of `scan` (issue #7).
    /// The loader reads scalars as text, so tags matter in two places only: they keep keys apart
    /// (`""` and an empty key, `"1"` and `1` are duplicates without them) and a mapping used as a
    /// key reads as its `=` entry. So: no tag resolution (`.basic`) first, and the default
    /// resolver again when that fails or the file has a mapping as a key (never in the catalogue).
    static func compose(_ yaml: String) throws -> Node? {
        if let root = try? Yams.compose(yaml: yaml, .basic), !hasMappingKey(root) { return root }
        return try Yams.compose(yaml: yaml)
    }

    private static func hasMappingKey(_ node: Node) -> Bool {
        switch node {
        case .mapping(let mapping):
            mapping.contains { $0.key.mapping != nil || hasMappingKey($0.key) || hasMappingKey($0.value) }
        case .sequence(let sequence):
            sequence.contains { hasMappingKey($0) }
        default:
            false
        }
    }

    func parse(path: String, contents: String, problems: inout [RuleProblem]) -> RuleSpec? {
        func problem(_ line: Int, _ field: String, _ message: String) {
            // A YAML key can be empty (`&anchor: x`, `"": x`); the problem must still name it.
            problems.append(RuleProblem(file: path, line: line, field: field.isEmpty ? "(empty key)" : field, message: message))
        }
        let root: Node?
        switch FileProblem.composeYAML(contents, file: path, Self.compose) {
        case .success(let node): root = node
        case .failure(let yamlProblem):
            problem(yamlProblem.line, yamlProblem.field, yamlProblem.message)
            return nil
        }
        guard let mapping = root?.mapping else {
            problem(1, "(file)", "a rule file must be a YAML mapping")
            return nil
        }
        var values: [String: Node] = [:]
        var keyLines: [String: Int] = [:]
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line ?? 1
            guard let key = keyNode.string else { continue }
            if !Self.topLevelKeys.contains(key) {
                problem(line, key, "unknown key (allowed: \(Self.topLevelKeys.sorted().joined(separator: ", ")))")
                continue
            }
            values[key] = value
            keyLines[key] = line
        }
        func scalar(_ key: String, required: Bool = true) -> String? {
            guard let node = values[key] else {
                if required { problem(1, key, "missing") }
                return nil
            }
            guard let text = node.scalar?.string, !text.trimmingWhitespace.isEmpty else {
                problem(node.mark?.line ?? 1, key, "must be a non-empty text")
                return nil
            }
            return text
        }

        let id = scalar("id") ?? ""
        if !id.isEmpty && !id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            problem(keyLines["id"] ?? 1, "id", "must use only a-z, 0-9 and '-'")
        }
        let pathParts = path.split(separator: "/")
        if let fileName = pathParts.last, fileName.hasSuffix(".yaml"), !id.isEmpty, fileName.dropLast(5) != id {
            problem(keyLines["id"] ?? 1, "id", "'\(id)' does not match the file name '\(fileName)'")
        }
        var ruleClass = IncidentClass.unknown
        if let text = scalar("class") {
            if let value = IncidentClass(rawValue: text), IncidentClass.ruleClasses.contains(value) {
                ruleClass = value
                if pathParts.count >= 2, IncidentClass(rawValue: String(pathParts[pathParts.count - 2])) != nil,
                   pathParts[pathParts.count - 2] != Substring(text) {
                    problem(keyLines["class"] ?? 1, "class", "'\(text)' does not match the folder '\(pathParts[pathParts.count - 2])'")
                }
            } else {
                problem(keyLines["class"] ?? 1, "class",
                        "unknown class '\(text)' (one of \(IncidentClass.ruleClasses.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        var origin = Origin.proxy
        if let text = scalar("origin") {
            if let value = Origin(rawValue: text) { origin = value } else {
                problem(keyLines["origin"] ?? 1, "origin",
                        "unknown origin '\(text)' (one of \(Origin.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        var severity = Severity.error
        if let text = scalar("severity") {
            if let value = Severity(rawValue: text) { severity = value } else {
                problem(keyLines["severity"] ?? 1, "severity",
                        "unknown severity '\(text)' (one of \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let title = scalar("title") ?? ""
        var priority = 0
        if let text = scalar("priority", required: false) {
            if let value = Int(text) { priority = value } else {
                problem(keyLines["priority"] ?? 1, "priority", "must be a whole number")
            }
        }

        func patterns(_ key: String, required: Bool) -> [RuleSpec.Pattern] {
            guard let node = values[key] else {
                if required { problem(1, key, "missing: at least one pattern is needed") }
                return []
            }
            let items: [Node]
            if let sequence = node.sequence { items = Array(sequence) } else { items = [node] }
            if required && items.isEmpty { problem(node.mark?.line ?? 1, key, "needs at least one pattern") }
            var result: [RuleSpec.Pattern] = []
            for (index, item) in items.enumerated() {
                let line = item.mark?.line ?? node.mark?.line ?? 1
                guard let text = item.scalar?.string, !text.isEmpty else {
                    problem(line, "\(key)[\(index)]", "must be a non-empty pattern text")
                    continue
                }
                result.append(.init(source: text, line: line, field: "\(key)[\(index)]"))
            }
            return result
        }
        let match = patterns("match", required: true)
        let unless = patterns("unless", required: false)
        let extract = patterns("extract", required: false)

        var fingerprint: [String] = []
        if let node = values["fingerprint"] {
            if let sequence = node.sequence {
                for (index, item) in sequence.enumerated() {
                    if let name = item.scalar?.string, !name.isEmpty { fingerprint.append(name) } else {
                        problem(item.mark?.line ?? 1, "fingerprint[\(index)]", "must be a field name")
                    }
                }
            } else {
                problem(node.mark?.line ?? 1, "fingerprint", "must be a list of field names")
            }
        }

        let entry = parseEntry(values["entry"], ruleClass: ruleClass, problem: problem)
        let examples = parseExamples(values["examples"], key: "examples", problem: problem)
        let counterexamples = parseExamples(values["counterexamples"], key: "counterexamples", problem: problem)
        if examples.isEmpty {
            problem(keyLines["examples"] ?? 1, "examples", "at least one example that must match is required")
        }
        if counterexamples.isEmpty {
            problem(keyLines["counterexamples"] ?? 1, "counterexamples",
                    "at least one counterexample that must not match is required")
        }

        return RuleSpec(file: path, id: id, ruleClass: ruleClass, origin: origin, severity: severity, title: title,
                        priority: priority, match: match, unless: unless, extract: extract, fingerprint: fingerprint,
                        entry: entry, examples: examples, counterexamples: counterexamples, keyLines: keyLines)
    }

    private func parseEntry(_ node: Node?, ruleClass: IncidentClass,
                            problem: (Int, String, String) -> Void) -> Entry {
        var entry = Entry()
        guard let node else {
            problem(1, "entry", "missing")
            return entry
        }
        guard let mapping = node.mapping else {
            problem(node.mark?.line ?? 1, "entry", "must be a mapping of sections")
            return entry
        }
        let entryLine = node.mark?.line ?? 1
        var present: Set<String> = []
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line ?? entryLine
            guard let key = keyNode.string else { continue }
            let field = "entry.\(key)"
            present.insert(key)
            switch key {
            case "summary", "meaning", "quick_fix":
                let text = value.scalar?.string.trimmingWhitespace ?? ""
                if text.isEmpty { problem(line, field, "empty section") }
                if key == "summary" { entry.summary = text } else if key == "meaning" { entry.meaning = text } else { entry.quickFix = text }
            case "causes", "checks", "steps", "prevention":
                let items = (value.sequence.map(Array.init) ?? []).compactMap { $0.scalar?.string.trimmingWhitespace }
                    .filter { !$0.isEmpty }
                if value.sequence == nil { problem(line, field, "must be a list") }
                if items.isEmpty { problem(line, field, "empty section") }
                switch key {
                case "causes": entry.causes = items
                case "checks": entry.checks = items
                case "steps": entry.steps = items
                default: entry.prevention = items
                }
            case "references":
                for (index, item) in (value.sequence.map(Array.init) ?? []).enumerated() {
                    let itemLine = item.mark?.line ?? line
                    if let url = item.scalar?.string {
                        entry.references.append(.init(title: url, url: url))
                    } else if let map = item.mapping, let url = map["url"]?.string {
                        entry.references.append(.init(title: map["title"]?.string ?? url, url: url))
                    } else {
                        problem(itemLine, "\(field)[\(index)]", "must be a URL or {title, url}")
                    }
                }
                if entry.references.isEmpty { problem(line, field, "empty section") }
                for (index, reference) in entry.references.enumerated() where !reference.url.hasPrefix("https://") {
                    problem(line, "\(field)[\(index)].url", "must be an https:// URL")
                }
            case "faq":
                for (index, item) in (value.sequence.map(Array.init) ?? []).enumerated() {
                    if let map = item.mapping, let q = map["q"]?.string, let a = map["a"]?.string,
                       !q.trimmingWhitespace.isEmpty, !a.trimmingWhitespace.isEmpty {
                        entry.faq.append(.init(q: q.trimmingWhitespace, a: a.trimmingWhitespace))
                    } else {
                        problem(item.mark?.line ?? line, "\(field)[\(index)]", "must be {q, a} with both filled")
                    }
                }
                if entry.faq.isEmpty { problem(line, field, "empty section") }
            default:
                problem(line, field, "unknown section (allowed: \(Entry.sectionKeys.joined(separator: ", ")))")
            }
        }
        // Benign rules explain why a record is harmless; they need no runbook.
        let required = ruleClass == .benign ? ["summary", "meaning"] : Entry.sectionKeys
        for key in required where !present.contains(key) {
            problem(entryLine, "entry.\(key)", "missing section")
        }
        return entry
    }

    private func parseExamples(_ node: Node?, key: String,
                               problem: (Int, String, String) -> Void) -> [RuleSpec.Example] {
        guard let node else { return [] }
        guard let sequence = node.sequence else {
            problem(node.mark?.line ?? 1, key, "must be a list")
            return []
        }
        var result: [RuleSpec.Example] = []
        for (index, item) in sequence.enumerated() {
            let line = item.mark?.line ?? 1
            if let text = item.scalar?.string {
                result.append(.init(text: text, fields: [:], line: line))
            } else if let map = item.mapping, let text = map["text"]?.string {
                var fields: [String: String] = [:]
                if let fieldMap = map["fields"]?.mapping {
                    for (k, v) in fieldMap { if let k = k.string, let v = v.string { fields[k] = v } }
                }
                result.append(.init(text: text, fields: fields, line: line))
            } else {
                problem(line, "\(key)[\(index)]", "must be a text or {text, fields}")
            }
        }
        return result
    }
}

extension StringProtocol {
    /// Trims spaces, tabs and newlines without Foundation.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
