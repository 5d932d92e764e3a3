extension Notice {
    /// The rule id of the made-up incident in a test notice; receivers and routes can drop it.
    public static let testRuleID = "logwatch-test-notice"

    /// A clearly marked test notice (`logwatch notify test`): one made-up incident of severity
    /// info whose title and text say it is a delivery check and nothing is wrong.
    public static func test(host: String, time: Double) -> Notice {
        let sighting = Sighting(source: "logwatch notify test", line: 1, timestamp: nil, time: time)
        let incident = Incident(
            id: "i-test", ruleID: testRuleID, ruleClass: .runtime, severity: .info,
            title: "TEST NOTICE from logwatch on \(host): a delivery check, not an incident",
            origin: nil, fields: [:], fingerprint: [:], count: 1, first: sighting, last: sighting,
            sample: "This is a test notice sent by `logwatch notify test` to check this sink. Nothing is wrong.",
            template: nil)
        return Notice(kind: .firing, time: time, group: "test", items: [Item(incident: incident, newCount: 1)])
    }
}
