import Foundation
import LogwatchCore

/// Writes the rendered entries to a directory: `index.html`, `index.md`, and
/// `{class}/{id}.html` and `.md` for every rule.
public enum EntrySite {
    @discardableResult
    public static func write(rules: [CompiledRule], to directory: String) throws -> Int {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var count = 0
        func put(_ relative: String, _ text: String) throws {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(relative)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            count += 1
        }
        try put("index.html", EntryRenderer.indexHTML(rules))
        try put("index.md", EntryRenderer.indexMarkdown(rules))
        for rule in rules {
            try put("\(rule.ruleClass.rawValue)/\(rule.id).html", EntryRenderer.html(rule))
            try put("\(rule.ruleClass.rawValue)/\(rule.id).md", EntryRenderer.markdown(rule))
        }
        return count
    }
}
