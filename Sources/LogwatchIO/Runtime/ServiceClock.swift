import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `timespec` members to libdispatch's C module;
// MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif

/// Where the daemon's time comes from: seconds on a scale that moves only forward and at the
/// rate of real time, set equal to the wall clock when the clock is made.
///
/// Every interval the daemon keeps (watchdog pings, checkpoints, group_wait, group_interval,
/// repeat, resolve_after, storm windows, retries, the idle end of a record) is a difference of
/// two readings of this clock, so an NTP step of the wall clock neither stops the watchdog pings
/// (a step back) nor fires resolves and retries early (a step forward). Values written to the
/// state store (incident times, the outbox's next attempt) are on the same scale: it starts at
/// the wall time of each start, so they stay comparable across restarts. Times a person reads
/// in a notice are these readings too: off from the wall clock by any step since the start,
/// never out of order.
///
/// `monotonic` is injectable for tests (a wall clock that steps must change nothing).
public struct ServiceClock: Sendable {
    private let anchorWall: Double
    private let anchorMonotonic: Double
    private let monotonic: @Sendable () -> Double

    /// - Parameters:
    ///   - wall: seconds since 1970, read once here.
    ///   - monotonic: seconds since any fixed point, never stepping (CLOCK_BOOTTIME: suspend counts,
    ///     as it does for the outbox's retry ages).
    public init(wall: @Sendable () -> Double = { Date().timeIntervalSince1970 },
                monotonic: @escaping @Sendable () -> Double = ServiceClock.bootTime) {
        anchorWall = wall()
        anchorMonotonic = monotonic()
        self.monotonic = monotonic
    }

    /// Seconds since 1970 as of the start, plus the real time elapsed since.
    public func now() -> Double { anchorWall + (monotonic() - anchorMonotonic) }

    @Sendable public static func bootTime() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// The process's clock: every part of the daemon reads the same one.
    public static let standard = ServiceClock()
}
