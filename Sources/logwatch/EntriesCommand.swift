import Foundation
import ArgumentParser
import LogwatchCore
import LogwatchIO

struct EntriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entries",
        abstract: "Publish the troubleshooting entries.",
        discussion: """
        Examples:
          logwatch entries build --out /var/www/logwatch
        """,
        subcommands: [Build.self])

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render every entry as static HTML and Markdown: an index by class and one page per signature.",
            discussion: """
            Examples:
              logwatch entries build --out /var/www/logwatch
            Then set links.base_url (or --links-base-url) so notices link to {base}/{class}/{id}.html.
            """)

        @Option(name: .customLong("out"), help: "Output directory (created if missing).")
        var out: String

        @OptionGroup var common: CommonOptions

        func run() throws {
            let ruleSet = try common.loadRules()
            let written: Int
            do {
                written = try EntrySite.write(rules: ruleSet.rules, to: out)
            } catch {
                // One line naming the directory, not Foundation's error dump.
                let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
                Output.err("logwatch: cannot write the entries to '\(out)': \(reason)")
                throw ExitCode(2)
            }
            Output.out("Wrote \(written) pages to \(out) (index.html, index.md, and one .html and .md per signature).")
        }
    }
}
