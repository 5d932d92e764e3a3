extension String {
    /// Cut to at most `limit` UTF-16 code units (what Slack, Discord and Teams count), on a
    /// Character boundary so no emoji or accented letter is split, ending with `marker` when cut.
    public func clipped(to limit: Int, marker: String = " …") -> String {
        if utf16.count <= limit { return self }
        let room = limit - marker.utf16.count
        guard room > 0 else { return String(marker.prefix(max(0, limit))) }
        var used = 0
        var end = startIndex
        for index in indices {
            let width = self[index].utf16.count
            if used + width > room { break }
            used += width
            end = self.index(after: index)
        }
        return String(self[..<end]) + marker
    }

    /// Length as the chat platforms count it.
    public var platformLength: Int { utf16.count }
}
