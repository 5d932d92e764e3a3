import LogwatchCore

/// How one journal entry becomes physical lines and `EntryMetadata`; shared by `JournalSource`
/// (sd-journal) and `JournalJSONDecoder` (`journalctl -o json`), so both give the same records.
enum JournalEntryMapping {
    /// The fields this mapping reads, besides MESSAGE.
    static let fieldNames: [String] = ["PRIORITY", "_SYSTEMD_UNIT", "_PID", "SYSLOG_IDENTIFIER", "_HOSTNAME",
                                       "MESSAGE_ID", "UNIT", "USER_UNIT", "JOB_TYPE", "JOB_RESULT"]

    /// MESSAGE split on `\n` into physical lines. One trailing newline adds no empty line;
    /// an empty MESSAGE gives one empty line (the entry still happened).
    static func lines(of message: [UInt8]) -> [ArraySlice<UInt8>] {
        var body = message[...]
        if body.last == 0x0A { body = body.dropLast() }
        return body.split(separator: 0x0A, omittingEmptySubsequences: false)
    }

    /// syslog PRIORITY to the level names the framer uses.
    static func level(priority: String?) -> String? {
        guard let priority, let value = Int(priority), (0...7).contains(value) else { return nil }
        switch value {
        case 0...2: return "CRITICAL"
        case 3: return "ERROR"
        case 4: return "WARNING"
        case 5, 6: return "INFO"
        default: return "DEBUG"
        }
    }

    /// Microseconds since 1970 as RFC 3339 UTC with microseconds: `2025-07-02T08:14:51.120391Z`.
    static func timestamp(realtimeUsec usec: UInt64) -> String {
        let seconds = Int64(usec / 1_000_000)
        let micros = Int(usec % 1_000_000)
        var days = seconds / 86_400
        let secondOfDay = Int(seconds % 86_400)
        // Civil date from a day count (Howard Hinnant's algorithm); no Foundation, no locale.
        days += 719_468
        let era = days / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        // Written as bytes: this runs once per journal entry, and string padding was a visible
        // share of reading a journal.
        var out = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int, at offset: Int, width: Int) {
            var value = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                out[i] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                value /= 10
            }
        }
        put(year, at: 0, width: 4)
        put(month, at: 5, width: 2)
        put(day, at: 8, width: 2)
        put(secondOfDay / 3600, at: 11, width: 2)
        put(secondOfDay / 60 % 60, at: 14, width: 2)
        put(secondOfDay % 60, at: 17, width: 2)
        put(micros, at: 20, width: 6)
        for (offset, byte) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z")] as [(Int, Unicode.Scalar)] {
            out[offset] = UInt8(ascii: byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Level, timestamp, attributes and unit event of one entry. `field` looks up a field's text.
    static func metadata(field: (String) -> String?, realtimeUsec: UInt64?, message: [UInt8],
                         units: [String]) -> EntryMetadata {
        var attributes: [String: String] = [:]
        for (name, key) in [("_SYSTEMD_UNIT", "unit"), ("_PID", "pid"), ("SYSLOG_IDENTIFIER", "identifier"),
                            ("_HOSTNAME", "hostname")] {
            if let value = field(name) { attributes[key] = value }
        }
        return EntryMetadata(level: level(priority: field("PRIORITY")),
                             timestamp: realtimeUsec.map { timestamp(realtimeUsec: $0) },
                             attributes: attributes,
                             unitEvent: unitEvent(field: field, realtimeUsec: realtimeUsec, message: message, units: units),
                             separateEntry: true)
    }

    /// systemd's catalogue ids (sd-messages.h) for the job messages we care about.
    static let messageIDs: [String: UnitEvent.Kind] = [
        "7d4958e842da4a758f6c1cdc7b36dcc5": .starting,
        "39f53479d3a045ac8e11786248231fbf": .started,
        "de5b426a63be47a7b6ac3eaac82e2f6f": .stopping,
        "9d1aaa27d60140bd96365438aad20286": .stopped,
        "be02cf6855d2428ba40df7e9d022f03d": .failed,
        "d9b373ed55a64feb8242e02dbe79a49c": .failed,
    ]

    /// systemd (PID 1, or a user manager via USER_UNIT) saying it starts, stops or failed a
    /// watched unit. The MESSAGE_ID decides, then JOB_TYPE/JOB_RESULT, then the message text,
    /// because older or foreign writers carry fewer fields.
    static func unitEvent(field: (String) -> String?, realtimeUsec: UInt64?, message: [UInt8],
                          units: [String]) -> UnitEvent? {
        guard let unit = field("UNIT") ?? field("USER_UNIT"), units.isEmpty || units.contains(unit) else { return nil }
        let messageID = field("MESSAGE_ID")
        guard field("_PID") == "1" || field("USER_UNIT") != nil || messageID.map({ messageIDs[$0] != nil }) == true
        else { return nil }
        let time = Double(realtimeUsec ?? 0) / 1_000_000
        if let messageID, let kind = messageIDs[messageID] { return UnitEvent(unit: unit, kind: kind, time: time) }
        if let job = field("JOB_TYPE") {
            let result = field("JOB_RESULT")
            let kind: UnitEvent.Kind?
            switch (job, result) {
            case ("start", nil), ("restart", nil): kind = .starting
            case ("start", "done"), ("restart", "done"): kind = .started
            case ("start", _), ("restart", _): kind = .failed
            case ("stop", nil): kind = .stopping
            case ("stop", "done"): kind = .stopped
            default: kind = nil
            }
            if let kind { return UnitEvent(unit: unit, kind: kind, time: time) }
        }
        let text = String(decoding: message.prefix(200), as: UTF8.self)
        let prefixes: [(String, UnitEvent.Kind)] = [("Starting ", .starting), ("Started ", .started),
                                                     ("Stopping ", .stopping), ("Stopped ", .stopped),
                                                     ("Failed to start ", .failed)]
        for (prefix, kind) in prefixes where text.hasPrefix(prefix) { return UnitEvent(unit: unit, kind: kind, time: time) }
        if text.contains(": Failed with result ") { return UnitEvent(unit: unit, kind: .failed, time: time) }
        return nil
    }

    /// Cuts an oversized MESSAGE; returns whether it was cut.
    static func cap(_ message: inout [UInt8], at maxBytes: Int) -> Bool {
        guard message.count > maxBytes else { return false }
        message.removeSubrange(maxBytes...)
        return true
    }
}
