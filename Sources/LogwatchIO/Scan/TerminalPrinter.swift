import LogwatchCore

/// What a person following in a terminal sees: each new incident at once (a compact block, or
/// the full entry when verbose); a short update line for a changed incident at most every
/// `updateInterval`; a summary when they stop; or, with `json`, every matched record as one
/// NDJSON line. Records that joined another incident (access lines, consequences, repeats)
/// print nothing of their own: they show as "also seen" on their incident.
public final class TerminalPrinter {
    public let json: Bool
    public var updateInterval: Double = 5
    let links: EntryLinks
    let redactor = Redactor()
    let text: IncidentText
    let verbose: Bool

    public init(json: Bool, links: EntryLinks, colour: Bool, verbose: Bool = false, width: Int? = nil) {
        self.json = json
        self.links = links
        self.verbose = verbose
        text = IncidentText(style: TextStyle(colour: colour && !json), links: links, width: width)
    }

    /// Shows a record the desk just took.
    public func show(_ classification: Classification, outcome: IncidentDesk.Outcome, book: inout IncidentBook, now: Double) {
        if json {
            Output.out(RecordJSON.render(classification, redactor: redactor, links: links))
        } else if outcome.isNew {
            let entry = classification.rule?.entry
            Output.out((verbose ? text.render(outcome.incident, entry: entry) : text.compact(outcome.incident, entry: entry)) + "\n")
            book.markNoticed(outcome.incident.id, at: now)
        }
    }

    /// Prints the update lines that are due.
    public func updates(_ book: inout IncidentBook, now: Double) {
        guard !json else { return }
        for incident in book.dueUpdates(at: now, interval: updateInterval) { Output.out(text.updateLine(incident)) }
    }

    /// The closing summary (Ctrl-C): incidents by class and rule. With `json` it goes to
    /// standard error so the NDJSON stream stays clean.
    public func finish(_ incidents: [Incident]) {
        let summary = text.summary(incidents, lines: nil, truncated: 0)
        if json { Output.err(summary) } else { Output.out(summary) }
    }
}
