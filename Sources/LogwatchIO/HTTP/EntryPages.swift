import LogwatchCore

/// The troubleshooting entries rendered in memory, laid out as `EntrySite` writes them to disk:
/// `index.html`, `index.md`, and `{class}/{id}.html` and `.md` for every rule. Notices link to
/// `{links.base_url}/{class}/{id}.html`, so with `base_url` pointing at the listener's
/// `/entries` they resolve here.
///
/// A value: a reload renders a new one and swaps it in whole, so a request sees either the old
/// rule set's pages or the new one's, never a mix.
public struct EntryPages: Sendable {
    /// One rendered page.
    public struct Page: Sendable, Equatable {
        public let body: String
        public let contentType: String
    }

    /// Relative path (`auth/azure-401.html`) to page. Lookups are exact, so no request path
    /// can name anything but a page rendered here: there is no file system behind it.
    public let pages: [String: Page]

    /// The number of rules the pages were rendered from.
    public let ruleCount: Int

    public static let htmlType = "text/html; charset=utf-8"
    public static let markdownType = "text/markdown; charset=utf-8"

    public init(rules: [CompiledRule]) {
        var pages: [String: Page] = [:]
        pages["index.html"] = Page(body: EntryRenderer.indexHTML(rules), contentType: Self.htmlType)
        pages["index.md"] = Page(body: EntryRenderer.indexMarkdown(rules), contentType: Self.markdownType)
        for rule in rules {
            let stem = "\(rule.ruleClass.rawValue)/\(rule.id)"
            pages[stem + ".html"] = Page(body: EntryRenderer.html(rule), contentType: Self.htmlType)
            pages[stem + ".md"] = Page(body: EntryRenderer.markdown(rule), contentType: Self.markdownType)
        }
        self.pages = pages
        self.ruleCount = rules.count
    }

    /// The page at `relative` (the part of the path after `/entries/`); the empty path is the index.
    public func page(at relative: Substring) -> Page? {
        pages[relative.isEmpty ? "index.html" : String(relative)]
    }
}
