// Scan/: `scan` over whole files (BatchScan, ParallelScan's worker threads, terminal output).
// The edge. May use: Sources/, Support/, LogwatchCore, CLineScan.
// The map of all rooms: docs/architecture.md.

import Foundation
import LogwatchCore

/// `logwatch scan`: classifies whole files (or a journal), then prints incidents and a summary
/// (or NDJSON).
public struct BatchScan {
    /// One thing to scan: a name for error messages, and a function that frames it whole and
    /// hands the records over in batches (a block's worth for files).
    public struct Input {
        public var name: String
        public var frame: (([LogRecord]) -> Void) throws -> Framer.Statistics
        /// The records handed over are already the few that can lead to output (a gated read):
        /// a block scan to find them again would be wasted.
        public var candidatesOnly = false
        /// A file to scan in stretches on every core (`ParallelScan`) instead of through `frame`.
        var stretches: (path: String, source: String, gate: RecordGate)?
        /// A path given by the user, checked before reading (`SourceCheck.scannable`).
        var path: String?

        public init(name: String, candidatesOnly: Bool = false,
                    frame: @escaping (([LogRecord]) -> Void) throws -> Framer.Statistics) {
            self.name = name
            self.candidatesOnly = candidatesOnly
            self.frame = frame
        }

        /// A file read from its start (`-` is standard input). With a gate, only the stretches
        /// that can lead to output are framed (same output, a fraction of the work).
        public static func file(_ path: String, gate: RecordGate? = nil) -> Input {
            let file = path == "-" ? "/dev/stdin" : path, source = path == "-" ? "stdin" : path
            var input = Input(name: path, candidatesOnly: gate != nil) { body in
                if let gate { return try FileReader.sparseBlocks(path: file, source: source, gate: gate, body) }
                return try FileReader.frameBlocks(path: file, source: source, body)
            }
            input.path = path
            // Only a plain regular file has stretches to cut; a compressed one is decoded as one
            // stream (FileReader), a FIFO read as it comes.
            if let gate, FileReader.isRegularFile(file), FileReader.compression(ofFileAt: file) == nil {
                input.stretches = (file, source, gate)
            }
            return input
        }
    }

    public var json = false
    public var links = EntryLinks()
    public var colour = false
    /// The full entry per incident instead of the compact block.
    public var verbose = false
    /// Columns to fit (nil: as long as they are).
    public var width: Int?
    /// Which incidents are listed and summed up: `--class`, `--min-severity`.
    public var classes: Set<IncidentClass>?
    public var minSeverity: Severity = .info
    /// `--summary`: the summary alone, no incident blocks.
    public var summaryOnly = false
    /// Incident blocks printed before the summary at most: a 100 MB log with thousands of
    /// distinct unknown errors must not bury its summary (the summary counts them all).
    public var blockLimit = 100
    /// Threads that scan stretches of a gated file (`ParallelScan`): one per core by default.
    public var workers = BatchScan.defaultWorkers

    public init(json: Bool, links: EntryLinks, colour: Bool) {
        self.json = json
        self.links = links
        self.colour = colour
    }

    /// Scans every file; returns the incidents. Unreadable files are reported and skipped.
    @discardableResult
    public func run(files: [String], ruleSet: RuleSet) -> (incidents: [Incident], failedFiles: Int) {
        run(inputs: files.map { Input.file($0) }, ruleSet: ruleSet)
    }

    /// Scans every input in order; one that fails is reported and skipped.
    @discardableResult
    public func run(inputs: [Input], ruleSet: RuleSet) -> (incidents: [Incident], failedFiles: Int) {
        let classifier = Classifier(ruleSet: ruleSet)
        let redactor = Redactor()
        // A batch scan reports every incident it saw: no memory cap on open incidents.
        var desk = IncidentDesk(ruleSet: ruleSet, policy: IncidentBook.Policy(maxOpenIncidents: .max), redactor: redactor)
        var lines = 0, truncated = 0, failed = 0
        let now = Date().timeIntervalSince1970
        let renderer = RecordJSON.Renderer(redactor: redactor, links: links)
        var out = BufferedOutput(fd: STDOUT_FILENO)
        defer { out.flush() }
        for input in inputs {
            do {
                if let path = input.path, let problem = SourceCheck.scannable(path) { throw problem }
                if let stretches = input.stretches {
                    let scan = ParallelScan(path: stretches.path, source: stretches.source, gate: stretches.gate,
                                            ruleSet: ruleSet,
                                            renderer: { json ? RecordJSON.Renderer(redactor: redactor, links: links) : nil },
                                            workers: workers)
                    let stats = try scan.run { result in
                        for classification in result.classifications { desk.take(classification, time: now) }
                        if json { out.write(raw: result.output) }
                    }
                    lines += stats.lines
                    truncated += stats.truncatedLines
                    continue
                }
                let stats = try Self.handOff(input) { records in
                    func take(_ classification: Classification) {
                        desk.take(classification, time: now)
                        if json { out.write(bytes: renderer.renderBytes(classification)) }
                    }
                    if input.candidatesOnly {
                        for record in records { if let c = classifier.classify(record) { take(c) } }
                    } else {
                        classifier.classify(batch: records, take)
                    }
                }
                lines += stats.lines
                truncated += stats.truncatedLines
            } catch {
                Output.err("logwatch: \(error)")
                failed += 1
            }
        }
        out.flush()
        let incidents = desk.book.incidents.filter {
            (classes?.contains($0.ruleClass) ?? true) && $0.severity >= minSeverity
        }
        // Nothing could be read: no summary at all, so "0 matched" can never read as an all-clear.
        if !json && !(failed > 0 && failed == inputs.count) {
            let text = IncidentText(style: TextStyle(colour: colour), links: links, width: width)
            if !summaryOnly {
                for incident in incidents.prefix(blockLimit) {
                    let entry = ruleSet.rule(id: incident.ruleID)?.entry
                    Output.out((verbose ? text.render(incident, entry: entry) : text.compact(incident, entry: entry)) + "\n")
                }
                if incidents.count > blockLimit {
                    Output.out("… \(incidents.count - blockLimit) more incidents, counted below (narrow with --class or --min-severity, or use --json)\n")
                }
            }
            Output.out(text.summary(incidents, lines: lines, truncated: truncated))
        }
        return (incidents, failed)
    }
}

extension BatchScan {
    /// One per core, at most 8 (beyond that the merging thread and the disk set the pace).
    /// `LOGWATCH_SCAN_THREADS` overrides it (benchmarks, tests).
    public static var defaultWorkers: Int {
        if let text = ProcessInfo.processInfo.environment["LOGWATCH_SCAN_THREADS"], let n = Int(text), n >= 1 {
            return min(n, 64)
        }
        return min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    }

    /// Frames `input` on a second thread and hands its batches to `body` on this one, in order:
    /// reading, gating and framing overlap with classifying and rendering (two cores, one each).
    static func handOff(_ input: Input, _ body: ([LogRecord]) -> Void) throws -> Framer.Statistics {
        limitMallocArenas(to: 1)
        let queue = Handoff<[LogRecord]>(capacity: 4)
        let result = OneShot<Result<Framer.Statistics, any Error>>()
        let box = UncheckedSendable(input)
        let thread = Thread {
            result.set(Result { try box.value.frame { records in queue.put(records) } })
            queue.close()
        }
        thread.stackSize = 1 << 20
        thread.start()
        while let records = queue.take() { body(records) }
        return try result.wait().get()
    }
}

/// glibc gives each thread that allocates while another holds the lock its own malloc arena.
/// The two-thread hand-off keeps one (records made on one thread and freed on the other held
/// about 1.7 MB more at peak: issue #7, scan under 32 MB). `ParallelScan` allows one per
/// thread: its workers allocate all the time, and on one arena they queued on its lock
/// (measured: 0.2-0.3 s of a 1 GB scan, for 0.5-0.8 MB more at peak). `mallopt` is not in
/// Swift's Glibc module, hence the lookup; elsewhere it is simply not found.
func limitMallocArenas(to count: Int) {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let M_ARENA_MAX: Int32 = -8 // <malloc.h>
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return } // RTLD_DEFAULT
    _ = unsafeBitCast(symbol, to: Mallopt.self)(M_ARENA_MAX, Int32(clamping: count))
}

/// Batch output: one `write(2)` per 64 KiB instead of one per record. Only for `scan`, where
/// nobody waits for a single line; followers keep `Output`'s write-per-line.
struct BufferedOutput {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    /// Bytes that are whole lines already (each with its newline).
    mutating func write(raw lines: [UInt8]) {
        if buffer.isEmpty && lines.count >= 1 << 16 {
            buffer = lines
            flush()
            return
        }
        buffer += lines
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func write(bytes line: [UInt8]) {
        buffer += line
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        buffer.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return } // a closed pipe: nothing more to do
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
