/// The book is persisted by the state store so incident state survives a restart and a config
/// reload. The redactor is code, not state: a decoded book gets a fresh one.
extension IncidentBook: Codable {
    /// Bumped when the stored shape changes incompatibly; a store can then discard old snapshots.
    public static let snapshotVersion = 2

    enum CodingKeys: String, CodingKey {
        case version, policy, sampleLimit, incidents, groups, evictedTotal, evictedUnreported
    }

    public struct SnapshotVersionError: Error, CustomStringConvertible {
        public var found: Int
        public var description: String {
            "incident book snapshot version \(found) is not \(IncidentBook.snapshotVersion)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Self.snapshotVersion else { throw SnapshotVersionError(found: version) }
        self.init(policy: try container.decode(Policy.self, forKey: .policy))
        sampleLimit = try container.decode(Int.self, forKey: .sampleLimit)
        try restore(incidents: container.decode([Incident].self, forKey: .incidents),
                    groups: container.decode([String: Double].self, forKey: .groups),
                    evictedTotal: container.decode(Int.self, forKey: .evictedTotal),
                    evictedUnreported: container.decode(Int.self, forKey: .evictedUnreported))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.snapshotVersion, forKey: .version)
        try container.encode(policy, forKey: .policy)
        try container.encode(sampleLimit, forKey: .sampleLimit)
        try container.encode(incidents, forKey: .incidents)
        try container.encode(groupTimes, forKey: .groups)
        try container.encode(evictedTotal, forKey: .evictedTotal)
        try container.encode(evictedUnreportedCount, forKey: .evictedUnreported)
    }
}
