import CLineScan
import Foundation
import LogwatchCore

/// `scan` of one file on every core: the file is cut into stretches of about `stretchSize`
/// bytes, each ending just before a line that opens a record, and each worker thread frames
/// (`SparseFramer`), classifies and renders whole stretches. The calling thread reads ahead,
/// cuts, and merges the results in file order.
///
/// Exact, not approximate: a line that opens a record ends whatever record came before
/// (`Framer.opensRecord`), so a framer started at such a line gives the same records as one
/// that saw the whole file, and the stretches' records, concatenated, are the file's records.
/// `ParallelScanTests` compares it with the one-thread path on the samples and on generated
/// logs cut at every size. When no line opens a record for `defaultHoldLimit` bytes there is
/// nowhere to cut: the rest of the file is scanned on the calling thread as one stretch.
struct ParallelScan {
    /// Small enough that the stretches in flight and each worker's framer buffers stay small
    /// (issue #7: scan under 32 MB), large enough that the per-stretch hand-offs cost little.
    /// Measured on the 1 GB bench log, 2 workers: 64 KiB 31.4 MB peak and +0.1 s; 96 KiB 31.9 MB;
    /// 128 KiB 33.1 MB; 256 KiB 35.3 MB; 1 MiB 40 MB, with no gain in speed past 96 KiB.
    static let defaultStretchSize = 96 << 10
    /// Bytes fed to a stretch's framer between drains, as `FileReader` reads them.
    static let feedSize = FileReader.blockSize

    let path: String
    let source: String
    let gate: RecordGate
    let ruleSet: RuleSet
    let renderer: () -> RecordJSON.Renderer?
    let workers: Int
    var configuration = Framer.Configuration()
    /// Bytes read per stretch (tests cut finer).
    var stretchSize = ParallelScan.defaultStretchSize
    /// Held bytes without a place to cut before the rest of the file is scanned on this thread.
    /// 1 MiB, a framer's largest record: a longer stretch without a line that opens a record is
    /// a pathological log (a 100 MB line), where memory matters more than the second core.
    var holdLimit = ParallelScan.defaultHoldLimit
    static let defaultHoldLimit = 1 << 20

    /// Reads the whole file; `merge` gets every stretch's result on the calling thread, in order.
    func run(_ merge: (StretchResult) -> Void) throws -> Framer.Statistics {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IOError.cannotOpen(path, String(cString: strerror(errno))) }
        defer { close(fd) }

        limitMallocArenas(to: workers + 1)
        // Two stretches per worker in flight: a worker that finishes early finds the next one
        // queued although the merge waits for a slower one.
        let maxInFlight = 2 * workers
        let queue = Handoff<Stretch.Work>(capacity: maxInFlight)
        let results = ResultBoard()
        var threads: [Thread] = []
        for _ in 0..<workers {
            let scanner = UncheckedSendable(StretchScanner(source: source, gate: gate, ruleSet: ruleSet,
                                                           renderer: renderer(), configuration: configuration))
            let thread = Thread {
                while let work = queue.take() { results.put(work.index, scanner.value.scan(work)) }
                results.workerDone()
            }
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
        // However it ends (a read error included), the workers are told to stop and are waited for.
        defer {
            queue.close()
            results.waitForWorkers(workers)
        }

        var statistics = Framer.Statistics()
        func take(_ result: StretchResult) {
            statistics.lines += result.statistics.lines
            statistics.records += result.statistics.records
            statistics.truncatedLines += result.statistics.truncatedLines
            merge(result)
        }

        var cutter = Cutter(configuration: configuration)
        var dispatched = 0, merged = 0
        while true {
            while dispatched - merged >= maxInFlight {
                take(results.take(merged))
                merged += 1
            }
            let n = try cutter.read(fd, count: stretchSize, path: path)
            if n == 0 {
                if let last = cutter.finish() {
                    queue.put(Stretch.Work(index: dispatched, bytes: last.bytes, lineOffset: last.lineOffset))
                    dispatched += 1
                }
                break
            }
            if let stretch = cutter.cut() {
                queue.put(Stretch.Work(index: dispatched, bytes: stretch.bytes, lineOffset: stretch.lineOffset))
                dispatched += 1
            } else if cutter.held > holdLimit {
                // Nowhere to cut: what is in flight first, then the rest of the file as one stretch.
                while merged < dispatched {
                    take(results.take(merged))
                    merged += 1
                }
                try scanRest(fd: fd, held: cutter.takeAll(), take)
                break
            }
        }
        while merged < dispatched {
            take(results.take(merged))
            merged += 1
        }
        return statistics
    }

    /// The rest of the file on this thread, as one stretch, results handed over per read.
    private func scanRest(fd: Int32, held: (bytes: ArraySlice<UInt8>, lineOffset: Int), _ take: (StretchResult) -> Void) throws {
        let scanner = StretchScanner(source: source, gate: gate, ruleSet: ruleSet, renderer: renderer(),
                                     configuration: configuration)
        var stretch = scanner.begin(lineOffset: held.lineOffset)
        stretch.feed(held.bytes)
        take(stretch.takeResult())
        var chunk = [UInt8](repeating: 0, count: Self.feedSize)
        while true {
            let n = try Cutter.read(fd, into: &chunk, path: path)
            if n == 0 { break }
            stretch.feed(chunk[0..<n])
            take(stretch.takeResult())
        }
        take(stretch.finish())
    }

}

/// What one stretch gave: its NDJSON lines (when rendering), its classifications in file order,
/// and its line counts.
struct StretchResult {
    var output: [UInt8] = []
    var classifications: [Classification] = []
    var statistics = Framer.Statistics()
}

/// Cuts a byte stream into stretches that each end just before a line that opens a record.
struct Cutter {
    let configuration: Framer.Configuration
    /// Bytes read and not yet handed out; they start at a line that opens a record (or the file).
    private var pending: [UInt8] = []
    /// Lines before `pending`.
    private var lineOffset = 0
    /// Lines starting in `1..<checked` of `pending` were looked at and do not open a record.
    private var checked = 1

    init(configuration: Framer.Configuration) { self.configuration = configuration }

    var held: Int { pending.count }

    /// Reads up to `count` bytes onto the end of what is held, straight into its buffer; 0 at
    /// the end of the input.
    mutating func read(_ fd: Int32, count: Int, path: String) throws -> Int {
        let old = pending.count
        var got = 0
        var failure: Int32 = 0
        // A new buffer per stretch (the last one went to a worker): the held tail, then the read.
        pending = [UInt8](unsafeUninitializedCapacity: old + count) { buffer, initialized in
            pending.withUnsafeBufferPointer { tail in
                if old > 0 { buffer.baseAddress!.update(from: tail.baseAddress!, count: old) }
            }
            while true {
                let n = Glibc.read(fd, buffer.baseAddress! + old, count)
                if n >= 0 { got = n; break }
                if errno != EINTR { failure = errno; break }
            }
            initialized = old + got
        }
        if failure != 0 { throw IOError.cannotRead(path, String(cString: strerror(failure))) }
        return got
    }

    /// A stretch, when there is a place to cut: before the last complete line that opens a
    /// record, other than the first. It shares the held buffer; the rest is copied out.
    mutating func cut() -> (bytes: ArraySlice<UInt8>, lineOffset: Int)? {
        guard let cut = lastOpener() else { return nil }
        let stretch = pending[0..<cut]
        pending = Array(pending[cut...])
        checked = 1
        let offset = lineOffset
        lineOffset += Self.newlines(stretch)
        return (stretch, offset)
    }

    /// The end of the input: what is left, if anything.
    mutating func finish() -> (bytes: ArraySlice<UInt8>, lineOffset: Int)? {
        pending.isEmpty ? nil : takeAll()
    }

    mutating func takeAll() -> (bytes: ArraySlice<UInt8>, lineOffset: Int) {
        defer { pending = []; checked = 1 }
        return (pending[...], lineOffset)
    }

    /// Reads into a reused buffer (`ParallelScan.scanRest`).
    static func read(_ fd: Int32, into buffer: inout [UInt8], path: String) throws -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno != EINTR { throw IOError.cannotRead(path, String(cString: strerror(errno))) }
        }
    }

    /// The start of the last complete line (one followed by a newline) that opens a record,
    /// looking only at lines not looked at before and never at the first line.
    private mutating func lastOpener() -> Int? {
        pending.withUnsafeBufferPointer { p -> Int? in
            guard var end = Self.lastNewline(p, before: p.count) else { return nil }
            let searchEnd = end
            defer { checked = max(checked, searchEnd + 1) }
            while end >= checked {
                let start = (Self.lastNewline(p, before: end) ?? -1) + 1
                if start < checked { return nil }
                // A line past the length limit is cut by the framer: never a place to cut here.
                if end - start <= configuration.maxLineBytes,
                   Framer.opensRecord(pending[start..<end], configuration: configuration) {
                    return start
                }
                end = start - 1
            }
            return nil
        }
    }

    /// The index of the last newline before `end`, if any (a line is rarely long: a byte loop).
    static func lastNewline(_ p: UnsafeBufferPointer<UInt8>, before end: Int) -> Int? {
        var i = end - 1
        while i >= 0 {
            if p[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// Newlines in `bytes`: the number of lines a stretch that ends after a newline holds.
    static func newlines(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return 0 }
            return lw_count_newlines(base, p.count)
        }
    }
}

/// One thread's tools for scanning stretches: its own Hyperscan scratch (in the gate's framer
/// and the classifier), PCRE2 match data and renderer caches.
final class StretchScanner {
    let source: String
    let gate: RecordGate
    let classifier: Classifier
    let renderer: RecordJSON.Renderer?
    let configuration: Framer.Configuration

    init(source: String, gate: RecordGate, ruleSet: RuleSet, renderer: RecordJSON.Renderer?,
         configuration: Framer.Configuration) {
        self.source = source
        self.gate = gate
        self.classifier = Classifier(ruleSet: ruleSet)
        self.renderer = renderer
        self.configuration = configuration
    }

    /// The framer a finished stretch gave back: its buffers are already grown to size.
    fileprivate var spareFramer: SparseFramer?

    func begin(lineOffset: Int) -> Stretch { Stretch(scanner: self, lineOffset: lineOffset) }

    func scan(_ work: Stretch.Work) -> StretchResult {
        var stretch = begin(lineOffset: work.lineOffset)
        stretch.feed(stretch: work.bytes)
        return stretch.finish()
    }
}

/// One stretch being scanned: lines split, sparse-framed, classified and rendered as they come.
struct Stretch {
    struct Work {
        var index: Int
        var bytes: ArraySlice<UInt8>
        var lineOffset: Int
    }

    private let scanner: StretchScanner
    private var framer: SparseFramer
    private var splitter: LineSplitter
    private var records: [LogRecord] = []
    private var result = StretchResult()

    init(scanner: StretchScanner, lineOffset: Int) {
        self.scanner = scanner
        if var spare = scanner.spareFramer {
            scanner.spareFramer = nil
            spare.restart(lineOffset: lineOffset)
            framer = spare
        } else {
            framer = SparseFramer(source: scanner.source, gate: scanner.gate, configuration: scanner.configuration,
                                  lineOffset: lineOffset)
        }
        splitter = LineSplitter(maxPending: scanner.configuration.maxLineBytes)
    }

    /// Feeds bytes in `ParallelScan.feedSize` pieces, draining the framer after each as
    /// `FileReader` does, so what it holds stays bounded. Any bytes: lines may straddle calls.
    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        var from = bytes.startIndex
        while from < bytes.endIndex {
            let to = min(from + ParallelScan.feedSize, bytes.endIndex)
            splitter.feed(bytes[from..<to]) { line in framer.push(line: line, into: &records) }
            framer.drain(into: &records)
            classifyRecords()
            from = to
        }
    }

    /// Feeds a whole stretch (every line ends with a newline but maybe the last, which ends the
    /// input): lines go to the framer a block at a time, in pieces of about `feedSize` that end
    /// after a newline.
    mutating func feed(stretch bytes: ArraySlice<UInt8>) {
        var from = bytes.startIndex
        while from < bytes.endIndex {
            var to = min(from + ParallelScan.feedSize, bytes.endIndex)
            if to < bytes.endIndex {
                // Up to the next newline, so the piece holds whole lines.
                to = bytes[to...].withUnsafeBufferPointer { p in
                    memchr(p.baseAddress!, 0x0A, p.count).map { to + UnsafeRawPointer(p.baseAddress!).distance(to: UnsafeRawPointer($0)) + 1 }
                } ?? bytes.endIndex
            }
            let taken = framer.push(lines: bytes[from..<to], final: to == bytes.endIndex, into: &records)
            precondition(taken == to, "a piece of whole lines is taken whole")
            framer.drain(into: &records)
            classifyRecords()
            from = to
        }
    }

    /// What the stretch gave so far (statistics included), leaving it empty.
    mutating func takeResult() -> StretchResult {
        result.statistics = framer.statistics
        defer {
            result = StretchResult()
            counted = framer.statistics
        }
        result.statistics.lines -= counted.lines
        result.statistics.records -= counted.records
        result.statistics.truncatedLines -= counted.truncatedLines
        return result
    }

    private var counted = Framer.Statistics()

    mutating func finish() -> StretchResult {
        splitter.finish { line in framer.push(line: line, into: &records) }
        framer.finish(into: &records)
        classifyRecords()
        let result = takeResult()
        scanner.spareFramer = framer
        return result
    }

    /// All records classified first, then all rendered: each pass keeps its own tables
    /// (Hyperscan's and PCRE2's, then the renderer's) in the cache for the whole batch.
    private mutating func classifyRecords() {
        let first = result.classifications.count
        for record in records {
            if let classification = scanner.classifier.classify(record) { result.classifications.append(classification) }
        }
        if let renderer = scanner.renderer {
            for classification in result.classifications[first...] {
                renderer.renderBytes(classification, into: &result.output)
                result.output.append(0x0A)
            }
        }
        records.removeAll(keepingCapacity: true)
    }
}

/// Finished stretches by index, for the merging thread to take in order.
private final class ResultBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private var done: [Int: StretchResult] = [:]
    private var finishedWorkers = 0

    func put(_ index: Int, _ result: StretchResult) {
        condition.lock()
        done[index] = result
        condition.broadcast()
        condition.unlock()
    }

    func take(_ index: Int) -> StretchResult {
        condition.lock()
        defer { condition.unlock() }
        while done[index] == nil { condition.wait() }
        return done.removeValue(forKey: index)!
    }

    func workerDone() {
        condition.lock()
        finishedWorkers += 1
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers(_ count: Int) {
        condition.lock()
        while finishedWorkers < count { condition.wait() }
        condition.unlock()
    }
}

/// Moves a non-Sendable value to the one thread that uses it from then on.
final class UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
