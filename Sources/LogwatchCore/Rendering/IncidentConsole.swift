/// The operator's console in words: `logwatch status` (terminal text) and the `/incidents` page
/// (one self-contained HTML file: inline style, no script, no external asset, so it works
/// offline and under `Content-Security-Policy: default-src 'none'`; it refreshes itself with a
/// meta refresh). Both list the same snapshot rows by class.
public enum IncidentConsole {
    /// Seconds between the page's refreshes.
    public static let refreshSeconds = 10

    // MARK: Terminal

    public static func text(_ snapshot: IncidentSnapshot) -> String {
        var lines: [String] = []
        let open = snapshot.open, resolved = snapshot.resolved
        lines.append("logwatch on \(snapshot.host) at \(RFC3339.format(snapshot.generatedAt)): "
                     + "\(open.count) open, \(resolved.count) recently resolved, \(snapshot.silences.count) active silence(s)")
        if open.isEmpty && resolved.isEmpty { lines.append("Nothing open.") }
        for (title, rows) in [("Open", open), ("Recently resolved", resolved)] where !rows.isEmpty {
            lines.append("")
            lines.append("\(title):")
            for (incidentClass, group) in byClass(rows) {
                lines.append("  \(incidentClass.rawValue)")
                for row in group {
                    var line = "    \(row.id)  \(row.severity.rawValue.padding(8))  \(row.rule)  ×\(row.count)"
                    line += "  first \(RFC3339.format(row.firstSeen))  last \(RFC3339.format(row.lastSeen))"
                    if let silence = row.silence { line += "  [silenced by \(silence)]" }
                    lines.append(line)
                    lines.append("      \(row.title)")
                    let fields = row.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    if !fields.isEmpty { lines.append("      " + fields.joined(separator: " ")) }
                    lines.append("      entry: \(row.entry ?? "logwatch explain \(row.rule)")")
                }
            }
        }
        if !snapshot.silences.isEmpty {
            lines.append("")
            lines.append("Silences:")
            for silence in snapshot.silences { lines.append("  " + silenceLine(silence)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One silence on one line: id, matcher, end, comment.
    public static func silenceLine(_ silence: Silence) -> String {
        "\(silence.id)  \(silence.matcher)  until \(RFC3339.format(silence.endsAt))"
            + (silence.comment.isEmpty ? "" : "  \"\(silence.comment)\"")
    }

    // MARK: Page

    public static func html(_ snapshot: IncidentSnapshot) -> String {
        let e = EntryRenderer.escape
        let open = snapshot.open, resolved = snapshot.resolved
        var body: [String] = []
        body.append("<h1>logwatch on \(e(snapshot.host))</h1>")
        body.append("<p class=\"meta\" id=\"summary\">\(open.count) open · \(resolved.count) recently resolved · "
                    + "\(snapshot.silences.count) active silence(s) · as of \(e(RFC3339.format(snapshot.generatedAt))) · "
                    + "refreshes every \(refreshSeconds) s · <a href=\"/api/v1/incidents\">JSON</a> · <a href=\"/entries/\">entries</a></p>")
        if open.isEmpty && resolved.isEmpty { body.append("<p id=\"nothing\">Nothing open.</p>") }
        for (title, rows) in [("Open", open), ("Recently resolved", resolved)] where !rows.isEmpty {
            body.append("<h2>\(title)</h2>")
            for (incidentClass, group) in byClass(rows) {
                body.append("<h3 class=\"class-\(incidentClass.rawValue)\">\(incidentClass.rawValue) (\(group.count))</h3>")
                body.append("<table><thead><tr><th>severity</th><th>incident</th><th>count</th><th>first seen</th>"
                            + "<th>last seen</th><th>state</th></tr></thead><tbody>")
                for row in group {
                    let state = row.silence.map { "silenced by \(e($0))" } ?? e(row.state)
                    body.append("<tr class=\"incident sev-\(row.severity.rawValue)\" data-id=\"\(e(row.id))\" data-rule=\"\(e(row.rule))\" "
                                + "data-count=\"\(row.count)\" data-state=\"\(e(row.state))\">"
                                + "<td>\(row.severity.rawValue)</td>"
                                + "<td><details><summary><b>\(e(row.rule))</b> — \(e(row.title))</summary>"
                                + detail(row) + "</details></td>"
                                + "<td class=\"count\">\(row.count)</td><td>\(e(RFC3339.format(row.firstSeen)))</td>"
                                + "<td>\(e(RFC3339.format(row.lastSeen)))</td><td>\(state)</td></tr>")
                }
                body.append("</tbody></table>")
            }
        }
        if !snapshot.silences.isEmpty {
            body.append("<h2>Silences</h2><ul>")
            for silence in snapshot.silences { body.append("<li class=\"silence\"><code>\(e(silenceLine(silence)))</code></li>") }
            body.append("</ul>")
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>logwatch · \(open.count) open · \(e(snapshot.host))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
            table{border-collapse:collapse;width:100%;margin-bottom:1rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
            .meta{color:#555}.count{text-align:right;font-variant-numeric:tabular-nums}summary{cursor:pointer}
            .sev-critical td:first-child{color:#a00;font-weight:bold}.sev-error td:first-child{color:#c40}.sev-warning td:first-child{color:#a70}
            pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem;margin:.3rem 0}dl{margin:.3rem 0}dt{font-weight:bold}</style>
            </head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    static func detail(_ row: IncidentSnapshot.Row) -> String {
        let e = EntryRenderer.escape
        var html = "<dl><dt>id</dt><dd><code>\(e(row.id))</code> (silence it: <code>logwatch silence add fingerprint=\(e(row.id)) --for 2h</code>)</dd>"
        html += "<dt>host</dt><dd>\(e(row.host))</dd><dt>last record</dt><dd>\(e(row.lastSource))</dd>"
        let fields = row.fields.sorted { $0.key < $1.key }
        if !fields.isEmpty { html += "<dt>fields</dt><dd>" + fields.map { "\(e($0.key))=<code>\(e($0.value))</code>" }.joined(separator: " ") + "</dd>" }
        html += "<dt>evidence</dt><dd>" + row.evidence.map { "<pre>\(e($0))</pre>" }.joined() + "</dd>"
        if let entry = row.entry {
            html += "<dt>entry</dt><dd><a class=\"entry\" href=\"\(e(entry))\">what it means and how to fix it</a></dd>"
        } else {
            html += "<dt>entry</dt><dd><code>logwatch explain \(e(row.rule))</code></dd>"
        }
        return html + "</dl>"
    }

    static func byClass(_ rows: [IncidentSnapshot.Row]) -> [(IncidentClass, [IncidentSnapshot.Row])] {
        IncidentClass.allCases.compactMap { incidentClass in
            let group = rows.filter { $0.ruleClass == incidentClass }
            return group.isEmpty ? nil : (incidentClass, group)
        }
    }
}
