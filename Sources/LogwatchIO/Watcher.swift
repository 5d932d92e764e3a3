import Foundation
import LogwatchCore

/// Drives the live pipeline for `--follow` and `--stdin`: reads sources, frames, classifies,
/// groups into incidents and prints them as they happen.
public final class Watcher {
    public struct Configuration {
        public var json = false
        public var idleTimeout: Double = 0.2
        public var pollInterval: Double = 0.05
        /// A changed incident is shown again at most this often.
        public var updateInterval: Double = 5
        public var links = EntryLinks()
        public init() {}
    }

    struct Input {
        var follower: FileFollower?
        var stdinFD: Int32?
        var framer: Framer
        var splitter = LineSplitter()
        var lineNumber = 0
        var lastData: Double = 0
        var closed = false
    }

    let classifier: Classifier
    let configuration: Configuration
    let redactor = Redactor()
    var book = IncidentBook()
    var inputs: [Input] = []
    let text: IncidentText

    public init(ruleSet: RuleSet, configuration: Configuration) {
        classifier = Classifier(ruleSet: ruleSet)
        self.configuration = configuration
        text = IncidentText(style: TextStyle(colour: !configuration.json && Output.colourOnStdout), links: configuration.links)
    }

    public func addFile(_ path: String, fromStart: Bool) {
        inputs.append(Input(follower: FileFollower(path: path, fromStart: fromStart), framer: Framer(source: path)))
    }

    public func addStandardInput() {
        inputs.append(Input(stdinFD: STDIN_FILENO, framer: Framer(source: "stdin")))
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Runs until every input is closed (stdin at end of file); files are followed forever.
    public func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        var records: [LogRecord] = []
        while true {
            let now = Self.now()
            var anyData = false
            for i in inputs.indices where !inputs[i].closed {
                // Separate locals: the splitter's callback mutates the framer, and Swift's
                // exclusivity rules forbid both living in one value being mutated.
                var splitter = inputs[i].splitter
                var framer = inputs[i].framer
                var lineNumber = inputs[i].lineNumber
                var closed = false
                let feed: (UnsafeRawBufferPointer) -> Void = { chunk in
                    splitter.feed(chunk) { line in
                        lineNumber += 1
                        framer.push(line: line, number: lineNumber, into: &records)
                    }
                }
                var got = 0
                if let follower = inputs[i].follower {
                    got = follower.poll(feed)
                    for event in follower.takeEvents() { Output.err("logwatch: \(event)") }
                } else if let fd = inputs[i].stdinFD {
                    got = readAvailable(fd, buffer, feed, closed: &closed)
                }
                if got > 0 {
                    inputs[i].lastData = now
                    anyData = true
                } else if now - inputs[i].lastData >= configuration.idleTimeout {
                    // Nothing new for a while: the record being built is complete.
                    framer.flush(into: &records)
                }
                if closed {
                    splitter.finish { line in
                        lineNumber += 1
                        framer.push(line: line, number: lineNumber, into: &records)
                    }
                    framer.flush(into: &records)
                    inputs[i].closed = true
                }
                inputs[i].splitter = splitter
                inputs[i].framer = framer
                inputs[i].lineNumber = lineNumber
            }
            handle(records, now: now)
            records.removeAll(keepingCapacity: true)
            for incident in book.dueUpdates(at: now, interval: configuration.updateInterval) where !configuration.json {
                Output.out(text.updateLine(incident))
            }
            if inputs.allSatisfy(\.closed) { return }
            // Standard input already waited in poll(2); sleeping again would double the latency.
            let waitedOnStdin = inputs.contains { $0.stdinFD != nil && !$0.closed }
            if !anyData && !waitedOnStdin { usleep(useconds_t(configuration.pollInterval * 1_000_000)) }
        }
    }

    func handle(_ records: [LogRecord], now: Double) {
        for record in records {
            guard let classification = classifier.classify(record) else { continue }
            let (incident, isNew) = book.add(classification, time: now)
            if configuration.json {
                Output.out(RecordJSON.render(classification, redactor: redactor, links: configuration.links))
            } else if isNew {
                Output.out(text.render(incident, entry: classification.rule?.entry) + "\n")
                book.markNoticed(incident.id, at: now)
            }
        }
    }

    private func readAvailable(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer,
                               _ feed: (UnsafeRawBufferPointer) -> Void, closed: inout Bool) -> Int {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var total = 0
        while poll(&pfd, 1, total == 0 ? Int32(configuration.pollInterval * 1000) : 0) > 0 {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                closed = true
                break
            }
            total += n
            feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if total >= 1 << 20 { break }
        }
        return total
    }
}
