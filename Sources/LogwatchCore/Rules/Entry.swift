/// A troubleshooting entry: the sections of a good runbook page, every one filled.
public struct Entry: Sendable, Equatable, Codable {
    public struct Reference: Sendable, Equatable, Codable {
        public var title: String
        public var url: String
    }

    public struct Question: Sendable, Equatable, Codable {
        public var q: String
        public var a: String
    }

    public var summary: String = ""
    public var meaning: String = ""
    public var causes: [String] = []
    public var checks: [String] = []
    public var quickFix: String = ""
    public var steps: [String] = []
    public var prevention: [String] = []
    public var references: [Reference] = []
    public var faq: [Question] = []

    public init() {}

    /// Section keys as they appear in rule files, in reading order.
    public static let sectionKeys = ["summary", "meaning", "causes", "checks", "quick_fix", "steps",
                                     "prevention", "references", "faq"]

    /// Section headings as a person reads them, in the same order as `sectionKeys`.
    public static let headings = [
        "summary": "Summary", "meaning": "What this error means", "causes": "Common causes (most likely first)",
        "checks": "Checks that tell the causes apart", "quick_fix": "Quick fix", "steps": "Step-by-step",
        "prevention": "How to prevent it", "references": "References", "faq": "FAQ",
    ]

    /// Minimum item counts for list sections; a thinner section fails `rules check`.
    public static let minimumItems = ["causes": 2, "checks": 2, "steps": 3, "prevention": 2, "references": 1, "faq": 2]
}
