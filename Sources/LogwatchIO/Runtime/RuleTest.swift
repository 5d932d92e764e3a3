import Foundation
import LogwatchCore

/// `logwatch test`: runs a log through the rules and the incident desk (correlation, book, router)
/// exactly as a run would, on a simulated clock, and keeps everything that would have been sent.
public struct RuleTest {
    public struct Result {
        public var report: RuleTestReport
        public var statistics: Framer.Statistics
        public var incidents: [Incident]
        /// The first notices a run would send, per sink, rendered.
        public var outputs: [NoticeRouter.Output]
    }

    public var ruleSet: RuleSet
    public var policy = IncidentBook.Policy()
    public var routes: [NoticeRouter.Route]
    public var context: NoticeContext
    /// The simulated time of the first record (records follow 10 ms apart).
    public var clock: Double

    public init(ruleSet: RuleSet, routes: [NoticeRouter.Route], context: NoticeContext, clock: Double) {
        self.ruleSet = ruleSet
        self.routes = routes
        self.context = context
        self.clock = clock
    }

    public func run(path: String) throws -> Result {
        let classifier = Classifier(ruleSet: ruleSet)
        var report = RuleTestReport()
        var desk = IncidentDesk(ruleSet: ruleSet, policy: policy, routes: routes, context: context)
        var time = clock
        let statistics = try FileReader.frame(path: path == "-" ? "/dev/stdin" : path, source: path == "-" ? "stdin" : path) { record in
            let classification = classifier.classify(record)
            report.add(record, classification)
            if let classification { desk.take(classification, time: time) }
            time += 0.01
        }
        // The first notices go out group_wait after the last record.
        let outputs = desk.advance(to: time + policy.groupWait).outputs
        return Result(report: report, statistics: statistics, incidents: desk.book.incidents, outputs: outputs)
    }
}
