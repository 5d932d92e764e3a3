import LogwatchCore

/// What a person following in a terminal sees: each new incident at once, in full; a short
/// update line for a changed incident at most every `updateInterval`; or, with `json`, every
/// matched record as one NDJSON line.
public final class TerminalPrinter {
    public let json: Bool
    public var updateInterval: Double = 5
    let links: EntryLinks
    let redactor = Redactor()
    let text: IncidentText

    public init(json: Bool, links: EntryLinks, colour: Bool) {
        self.json = json
        self.links = links
        text = IncidentText(style: TextStyle(colour: colour && !json), links: links)
    }

    /// Shows a record just added to `book`.
    public func show(_ classification: Classification, incident: Incident, isNew: Bool, book: inout IncidentBook, now: Double) {
        if json {
            Output.out(RecordJSON.render(classification, redactor: redactor, links: links))
        } else if isNew {
            Output.out(text.render(incident, entry: classification.rule?.entry) + "\n")
            book.markNoticed(incident.id, at: now)
        }
    }

    /// Prints the update lines that are due.
    public func updates(_ book: inout IncidentBook, now: Double) {
        guard !json else { return }
        for incident in book.dueUpdates(at: now, interval: updateInterval) { Output.out(text.updateLine(incident)) }
    }
}
