/// systemd starting or stopping a watched unit: the anchor for deploy correlation.
public struct UnitEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case starting, started, stopping, stopped, failed }
    public var unit: String
    public var kind: Kind
    /// Seconds since 1970 (the journal's realtime timestamp).
    public var time: Double

    public init(unit: String, kind: Kind, time: Double) {
        self.unit = unit
        self.kind = kind
        self.time = time
    }
}
