import LogwatchCore

extension EntryMetadata {
    /// Fills what the record's own text did not give: the level and timestamp only when the
    /// text had none (the text is more precise), attributes without overwriting, and the unit
    /// event as `unit_event` / `unit_event_unit` so the pure core can see it.
    public func apply(to record: inout LogRecord) {
        if record.level == nil, let level { record.level = level }
        if record.timestamp == nil, let timestamp { record.timestamp = timestamp }
        for (key, value) in attributes where record.attributes[key] == nil { record.attributes[key] = value }
        if let unitEvent {
            record.attributes["unit_event"] = unitEvent.kind.rawValue
            record.attributes["unit_event_unit"] = unitEvent.unit
        }
    }
}
