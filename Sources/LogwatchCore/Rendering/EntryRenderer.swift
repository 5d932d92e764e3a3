/// Renders a rule's troubleshooting entry for people: terminal text (`explain`), Markdown
/// and static HTML (`entries build`).
public enum EntryRenderer {
    public static func text(_ rule: CompiledRule, style: TextStyle = .plain) -> String {
        let spec = rule.spec, entry = spec.entry
        var out: [String] = []
        out.append(style.bold(spec.title))
        out.append("\(spec.id) · class \(spec.ruleClass.rawValue) · severity \(spec.severity.rawValue) · origin: \(spec.origin.phrase)")
        func section(_ key: String, _ body: [String]) {
            out.append("")
            out.append(style.bold(Entry.headings[key]!))
            out += body
        }
        section("summary", ["  " + entry.summary])
        if spec.ruleClass == .benign {
            section("meaning", wrapParagraph(entry.meaning))
            return out.joined(separator: "\n")
        }
        section("meaning", wrapParagraph(entry.meaning))
        section("causes", numbered(entry.causes))
        section("checks", numbered(entry.checks))
        section("quick_fix", entry.quickFix.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        section("steps", numbered(entry.steps))
        section("prevention", entry.prevention.map { "  - " + $0 })
        section("references", entry.references.map { "  - \($0.title): \($0.url)" })
        section("faq", entry.faq.flatMap { ["  Q: " + $0.q, "  A: " + $0.a] })
        return out.joined(separator: "\n")
    }

    static func numbered(_ items: [String]) -> [String] {
        items.enumerated().map { "  \($0.offset + 1). \($0.element)" }
    }

    static func wrapParagraph(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    public static func markdown(_ rule: CompiledRule) -> String {
        let spec = rule.spec, entry = spec.entry
        var out: [String] = []
        out.append("# \(spec.title)")
        out.append("")
        out.append("`\(spec.id)` · class **\(spec.ruleClass.rawValue)** · severity **\(spec.severity.rawValue)** · origin: \(spec.origin.phrase)")
        out.append("")
        out.append("**Summary:** \(entry.summary)")
        func section(_ key: String, _ body: [String]) {
            out.append("")
            out.append("## \(Entry.headings[key]!)")
            out.append("")
            out += body
        }
        section("meaning", [entry.meaning])
        if spec.ruleClass != .benign {
            section("causes", entry.causes.enumerated().map { "\($0.offset + 1). \($0.element)" })
            section("checks", entry.checks.enumerated().map { "\($0.offset + 1). \($0.element)" })
            section("quick_fix", ["```", entry.quickFix, "```"])
            section("steps", entry.steps.enumerated().map { "\($0.offset + 1). \($0.element)" })
            section("prevention", entry.prevention.map { "- " + $0 })
            section("references", entry.references.map { "- [\($0.title)](\($0.url))" })
            section("faq", entry.faq.flatMap { ["**\($0.q)**", "", $0.a, ""] })
        }
        out.append("")
        out.append("## Signature")
        out.append("")
        out += spec.match.map { "- `\($0.source)`" }
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ rule: CompiledRule) -> String {
        let spec = rule.spec, entry = spec.entry
        var body: [String] = []
        body.append("<p class=\"meta\"><a href=\"../index.html\">All entries</a> · <code>\(escape(spec.id))</code> · class <b>\(spec.ruleClass.rawValue)</b> · severity <b>\(spec.severity.rawValue)</b> · origin: \(escape(spec.origin.phrase))</p>")
        body.append("<h1>\(escape(spec.title))</h1>")
        body.append("<p class=\"summary\">\(inline(entry.summary))</p>")
        func section(_ key: String, _ html: String) {
            body.append("<h2 id=\"\(key)\">\(escape(Entry.headings[key]!))</h2>")
            body.append(html)
        }
        section("meaning", "<p>\(inline(entry.meaning))</p>")
        if spec.ruleClass != .benign {
            section("causes", list(entry.causes, ordered: true))
            section("checks", list(entry.checks, ordered: true))
            section("quick_fix", "<pre><code>\(escape(entry.quickFix))</code></pre>")
            section("steps", list(entry.steps, ordered: true))
            section("prevention", list(entry.prevention, ordered: false))
            section("references", "<ul>" + entry.references.map { "<li><a href=\"\(escape($0.url))\">\(escape($0.title))</a></li>" }.joined() + "</ul>")
            section("faq", entry.faq.map { "<h3>\(inline($0.q))</h3><p>\(inline($0.a))</p>" }.joined(separator: "\n"))
        }
        body.append("<h2 id=\"signature\">Signature</h2>")
        body.append("<ul>" + spec.match.map { "<li><code>\(escape($0.source))</code></li>" }.joined() + "</ul>")
        return page(title: spec.title, body: body.joined(separator: "\n"), root: "../")
    }

    public static func indexHTML(_ rules: [CompiledRule]) -> String {
        var body = ["<h1>logwatch troubleshooting entries</h1>",
                    "<p>\(rules.count) signatures of LiteLLM proxy failures, by class.</p>"]
        for cls in IncidentClass.ruleClasses {
            let group = rules.filter { $0.ruleClass == cls }.sorted { $0.id < $1.id }
            guard !group.isEmpty else { continue }
            body.append("<h2 id=\"\(cls.rawValue)\">\(cls.rawValue) (\(group.count))</h2><ul>")
            for rule in group {
                body.append("<li><a href=\"\(cls.rawValue)/\(rule.id).html\">\(escape(rule.title))</a> <code>\(rule.id)</code></li>")
            }
            body.append("</ul>")
        }
        return page(title: "logwatch troubleshooting entries", body: body.joined(separator: "\n"), root: "")
    }

    public static func indexMarkdown(_ rules: [CompiledRule]) -> String {
        var out = ["# logwatch troubleshooting entries", ""]
        for cls in IncidentClass.ruleClasses {
            let group = rules.filter { $0.ruleClass == cls }.sorted { $0.id < $1.id }
            guard !group.isEmpty else { continue }
            out.append("## \(cls.rawValue)")
            out.append("")
            out += group.map { "- [\($0.title)](\(cls.rawValue)/\($0.id).md)" }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func list(_ items: [String], ordered: Bool) -> String {
        let tag = ordered ? "ol" : "ul"
        return "<\(tag)>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</\(tag)>"
    }

    static func page(title: String, body: String, root: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>\(escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
        code,pre{background:#f4f4f4;border-radius:4px}pre{padding:.75rem;overflow-x:auto}code{padding:0 .2rem}
        .meta{color:#555;font-size:.9rem}.summary{font-size:1.1rem}</style></head>
        <body>
        \(body)
        </body></html>

        """
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Escapes text and turns `code` spans into <code>.
    static func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return escape(text) }
        var out = ""
        for (i, part) in parts.enumerated() {
            let escaped = escape(String(part))
            if i % 2 == 1 && i < parts.count - 1 { out += "<code>\(escaped)</code>" } else {
                out += (i % 2 == 1 ? "`" : "") + escaped
            }
        }
        return out
    }
}
