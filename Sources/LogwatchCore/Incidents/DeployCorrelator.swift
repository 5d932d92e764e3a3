/// Remembers when watched units last started or stopped, and tells whether an incident that
/// opens now probably came with that change: "began 40 s after litellm.service restarted at
/// 12:03:11 UTC". A bad deploy is the most common cause of a sudden burst of new errors, and
/// the first thing an operator wants to rule in or out.
public struct DeployCorrelator: Sendable, Codable {
    /// Incidents that open within this many seconds after a unit change are tied to it.
    public var window: Double
    /// A stop followed by a start within this many seconds reads as one restart.
    public var restartGap: Double = 120
    private var lastStart: [String: Double] = [:]
    private var lastStop: [String: Double] = [:]
    private var lastFailure: [String: Double] = [:]
    private var lastKind: [String: UnitEvent.Kind] = [:]

    public init(window: Double = 600) {
        self.window = window
    }

    public mutating func observe(_ event: UnitEvent) {
        // systemd logs "Starting" then "Started" (and "Stopping" then "Stopped") for one change:
        // the first of a pair marks it, the second is the same change.
        let previous = lastKind[event.unit]
        lastKind[event.unit] = event.kind
        switch event.kind {
        case .starting:
            lastStart[event.unit] = event.time
        case .started:
            if previous != .starting { lastStart[event.unit] = event.time }
        case .stopping:
            lastStop[event.unit] = event.time
        case .stopped:
            if previous != .stopping { lastStop[event.unit] = event.time }
        case .failed:
            lastFailure[event.unit] = event.time
        }
    }

    /// The sentence for an incident first seen at `time`, or nil when no unit changed shortly before.
    public func context(at time: Double) -> String? {
        var best: (unit: String, verb: String, at: Double)?
        func consider(_ unit: String, _ verb: String, _ at: Double) {
            guard at <= time, time - at <= window else { return }
            if best == nil || at > best!.at { best = (unit, verb, at) }
        }
        for (unit, start) in lastStart {
            if let stop = lastStop[unit], stop <= start, start - stop <= restartGap {
                consider(unit, "restarted", start)
            } else {
                consider(unit, "started", start)
            }
        }
        for (unit, stop) in lastStop where (lastStart[unit] ?? -1) < stop { consider(unit, "stopped", stop) }
        for (unit, failure) in lastFailure { consider(unit, "failed", failure) }
        guard let best else { return nil }
        let seconds = Int((time - best.at).rounded())
        return "began \(Self.duration(seconds)) after \(best.unit) \(best.verb) at \(Self.clock(best.at)) UTC"
    }

    static func duration(_ seconds: Int) -> String {
        seconds < 120 ? "\(seconds) s" : "\(seconds / 60) min \(seconds % 60) s"
    }

    /// `HH:MM:SS` of a UTC time given in seconds since 1970.
    static func clock(_ time: Double) -> String {
        let day = Int(time) % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }
}
