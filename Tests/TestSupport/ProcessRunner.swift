public import Foundation

/// Runs a program to its end and collects what it wrote. Standard error goes to a temporary file,
/// so neither stream can fill a pipe and block the child while the other is read.
public enum ProcessRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var stdoutData: Data
    }

    /// Runs `executable` with `arguments`; `environment` entries set (a nil value removes the
    /// variable) on top of this process's environment; `stdin` is written, then closed (no stdin:
    /// /dev/null).
    @discardableResult
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String?] = [:],
                           directory: URL? = nil, stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("lw-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        if let input, let stdin {
            // Written from another thread: a child that prints while reading would otherwise
            // block on a full stdout pipe while this thread blocks on a full stdin pipe.
            let writer = input.fileHandleForWriting
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                writer.write(stdin)
                try? writer.close()
                done.signal()
            }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            done.wait()
            process.waitUntilExit()
            try err.close()
            return try result(process, data, errURL)
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        return try result(process, data, errURL)
    }

    private static func result(_ process: Process, _ stdout: Data, _ errURL: URL) throws -> Result {
        Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
               stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self), stdoutData: stdout)
    }

    /// Turns an exported journal stream (systemd's export format) into a journal file at `output`
    /// with the real systemd-journal-remote (appending when the file exists).
    public static func journalRemote(_ export: Data, output: URL) throws {
        guard let tool = Repository.which("systemd-journal-remote") else {
            throw NSError(domain: "journal-remote", code: 127, userInfo: [
                NSLocalizedDescriptionKey: "systemd-journal-remote is missing: run `make deps` (Debian package systemd-journal-remote)"])
        }
        let result = try run(URL(fileURLWithPath: tool), ["--output=\(output.path)", "-"], stdin: export)
        guard result.status == 0 else {
            throw NSError(domain: "journal-remote", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
    }
}
