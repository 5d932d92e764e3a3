import Foundation
import TestSupport

/// Builds journal export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/) and turns it into
/// real journal files with `systemd-journal-remote`, which appends when the output exists.
struct JournalExport {
    static let bootID = "5f1c2b3a4d5e6f708192a3b4c5d6e7f8"
    /// 2025-07-02T08:00:00Z.
    static let start: UInt64 = 1_751_443_200_000_000

    private(set) var data = Data()
    /// Realtime and monotonic clocks of the next entry; they keep running across batches.
    var realtime = start
    var monotonic: UInt64 = 5_000_000
    private(set) var realtimes: [UInt64] = []

    /// One entry; a value with a newline or a byte outside printable ASCII uses the binary form.
    mutating func entry(_ fields: [(String, [UInt8])], step: UInt64 = 1_000) {
        append("__REALTIME_TIMESTAMP", Array(String(realtime).utf8))
        append("__MONOTONIC_TIMESTAMP", Array(String(monotonic).utf8))
        append("_BOOT_ID", Array(Self.bootID.utf8))
        for (name, value) in fields { append(name, value) }
        data.append(0x0A)
        realtimes.append(realtime)
        realtime += step
        monotonic += step
    }

    /// A line a service wrote (journald makes one entry per stdout line).
    mutating func log(_ message: String, unit: String = "litellm.service", priority: Int = 6, pid: Int = 4242,
                      identifier: String = "litellm", step: UInt64 = 1_000) {
        entry([("_SYSTEMD_UNIT", unit), ("_PID", String(pid)), ("PRIORITY", String(priority)),
               ("SYSLOG_IDENTIFIER", identifier), ("_HOSTNAME", "proxy-1"), ("MESSAGE", message)]
            .map { ($0.0, Array($0.1.utf8)) }, step: step)
    }

    /// systemd (PID 1) about a unit, as systemd 252 writes it.
    mutating func systemd(_ message: String, unit: String, messageID: String, jobType: String? = nil,
                          jobResult: String? = nil) {
        var fields = [("_SYSTEMD_UNIT", "init.scope"), ("_PID", "1"), ("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "systemd"),
                      ("_HOSTNAME", "proxy-1"), ("UNIT", unit), ("MESSAGE_ID", messageID), ("MESSAGE", message)]
        if let jobType { fields.append(("JOB_TYPE", jobType)) }
        if let jobResult { fields.append(("JOB_RESULT", jobResult)) }
        entry(fields.map { ($0.0, Array($0.1.utf8)) })
    }

    private mutating func append(_ name: String, _ value: [UInt8]) {
        data.append(contentsOf: Array(name.utf8))
        if value.contains(where: { $0 == 0x0A || $0 < 0x20 && $0 != 0x09 || $0 >= 0x80 }) {
            data.append(0x0A)
            var length = UInt64(value.count).littleEndian
            withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        } else {
            data.append(UInt8(ascii: "="))
        }
        data.append(contentsOf: value)
        data.append(0x0A)
    }

    /// Writes what was built into `directory/name` (appending if it exists) and starts a new batch.
    mutating func write(to directory: URL, name: String = "remote.journal") throws {
        try ProcessRunner.journalRemote(data, output: directory.appendingPathComponent(name))
        data = Data()
    }
}
