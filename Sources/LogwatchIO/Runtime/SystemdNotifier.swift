import CSystemd
import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif

/// Talks to systemd when started as a `Type=notify` unit: READY=1 once sources are attached,
/// WATCHDOG=1 from the reading loop (so a wedged reader stops the pings and systemd restarts
/// us), RELOADING=1/READY=1 around a reload, STOPPING=1 at shutdown. Outside systemd
/// (`NOTIFY_SOCKET` unset) every call does nothing.
public final class SystemdNotifier: @unchecked Sendable {
    public let enabled: Bool
    /// Half the watchdog period systemd asked for, as sd_watchdog_enabled(3) advises; nil when off.
    public let watchdogInterval: Double?
    private var lastPing: Double = 0

    public init() {
        enabled = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil
        var usec: UInt64 = 0
        if sd_watchdog_enabled(0, &usec) > 0, usec > 0 {
            watchdogInterval = Double(usec) / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    public func send(_ state: String) {
        guard enabled else { return }
        _ = sd_notify(0, state)
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func stopping() { send("STOPPING=1\nSTATUS=Stopping: flushing records and writing the checkpoint") }

    /// Reload start: systemd wants the monotonic time so it can match the READY=1 that follows.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// Called every loop turn; pings at most every half watchdog period.
    public func heartbeat(now: Double) {
        guard let watchdogInterval, now - lastPing >= watchdogInterval else { return }
        lastPing = now
        send("WATCHDOG=1")
    }
}
