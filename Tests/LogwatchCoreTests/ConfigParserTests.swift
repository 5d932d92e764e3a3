import XCTest
@testable import LogwatchCore

final class ConfigParserTests: XCTestCase {
    typealias Config = LogwatchConfig

    func parse(_ text: String) throws(ConfigErrors) -> Config { try ConfigParser().parse(text, file: "c.yaml") }

    /// The problems of a config that must fail, as `line key` pairs and messages.
    func problems(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [ConfigProblem] {
        do {
            _ = try parse(text)
            XCTFail("expected problems", file: file, line: line)
            return []
        } catch {
            return error.problems
        }
    }

    func testEveryKeyOfTheSchemaIsRead() throws {
        let config = try parse("""
        state_dir: /var/lib/logwatch
        links: { base_url: "https://wiki.example.com/logwatch" }
        http: { listen: "[::1]:9500" }
        rules:
          dirs: [/usr/local/share/logwatch/rules, /etc/logwatch/rules.d]
          disable: [some-rule-id]
        sources:
          - { type: file, paths: ["/var/log/litellm/*.log"], from: start }
          - { type: journal, units: [litellm], matches: ["_HOSTNAME=x"], directory: /var/log/journal }
          - { type: docker, container: litellm }
          - { type: docker, paths: ["/var/lib/docker/containers/*/*-json.log"] }
          - { type: cri, paths: ["/var/log/containers/litellm-*.log"] }
          - { type: stdin, format: journal-json }
        policy: { group_wait: 0s, group_interval: 1m30s, repeat_interval: 4h, resolve_after: 250ms }
        sinks:
          - name: ops-slack
            type: slack
            url_env: SLACK_WEBHOOK_URL
            classes: [auth, quota]
            min_severity: warning
            max_per_minute: 3
            timeout: 2s
          - { name: am, type: alertmanager, url: "http://am:9093" }
          - { name: hook, type: generic, url_file: "${CREDENTIALS_DIRECTORY}/hook" }
        outbox: { max_notices: 50 }
        """)
        XCTAssertEqual(config.stateDirectory, "/var/lib/logwatch")
        XCTAssertEqual(config.links.baseURL, "https://wiki.example.com/logwatch")
        XCTAssertEqual(config.http.listen, Config.ListenAddress(host: "::1", port: 9500))
        XCTAssertEqual(config.rules.directories, ["/usr/local/share/logwatch/rules", "/etc/logwatch/rules.d"])
        XCTAssertEqual(config.rules.disabled, ["some-rule-id"])
        XCTAssertEqual(config.sources, [
            .file(.init(paths: ["/var/log/litellm/*.log"], from: .start)),
            .journal(.init(units: ["litellm.service"], matches: ["_HOSTNAME=x"], directory: "/var/log/journal")),
            .docker(.init(container: "litellm")),
            .docker(.init(paths: ["/var/lib/docker/containers/*/*-json.log"])),
            .cri(.init(paths: ["/var/log/containers/litellm-*.log"])),
            .stdin(.init(format: .journalJSON)),
        ])
        XCTAssertEqual(config.policy.groupWait.milliseconds, 0)
        XCTAssertEqual(config.policy.groupInterval.milliseconds, 90_000)
        XCTAssertEqual(config.policy.repeatInterval.seconds, 14_400)
        XCTAssertEqual(config.policy.resolveAfter.milliseconds, 250)
        XCTAssertEqual(config.sinks.map(\.name), ["ops-slack", "am", "hook"])
        let slack = config.sinks[0]
        XCTAssertEqual(slack.kind, .slack)
        XCTAssertEqual(slack.endpoint, .environment("SLACK_WEBHOOK_URL"))
        XCTAssertNil(slack.url, "url_env is resolved at the edge")
        XCTAssertEqual(slack.classes, [.auth, .quota])
        XCTAssertEqual(slack.minSeverity, .warning)
        XCTAssertEqual(slack.maxPerMinute, 3)
        XCTAssertEqual(slack.timeout.seconds, 2)
        XCTAssertTrue(slack.routes(.auth, severity: .error))
        XCTAssertFalse(slack.routes(.auth, severity: .info))
        XCTAssertFalse(slack.routes(.model, severity: .critical))
        XCTAssertEqual(config.sinks[1].url, "http://am:9093")
        XCTAssertEqual(config.sinks[2].endpoint, .file("${CREDENTIALS_DIRECTORY}/hook"))
        XCTAssertEqual(config.outbox.maxNotices, 50)
        XCTAssertEqual(config.line(of: "sinks[0].url_env"), 18)
        XCTAssertEqual(config.line(of: "rules.disable[0]"), 6)
    }

    func testAnEmptyFileIsTheDefaults() throws {
        for text in ["", "# only a comment\n"] {
            let config = try parse(text)
            XCTAssertNil(config.stateDirectory)
            XCTAssertEqual(config.sources, [.journal(.init(units: ["litellm.service"]))])
            XCTAssertEqual(config.sinks.map(\.kind), [.stdout])
            XCTAssertEqual(config.sinks[0].classes, IncidentClass.reported)
            XCTAssertEqual(config.http.listen?.description, "127.0.0.1:9466")
            XCTAssertEqual(config.links.baseURL, "http://127.0.0.1:9466/entries", "links default to the listener")
            XCTAssertEqual(config.policy, Config.Policy())
            XCTAssertEqual(config.policy.repeatInterval.description, "4h")
        }
    }

    func testListenOffLeavesNoDefaultLink() throws {
        let config = try parse("http: { listen: off }")
        XCTAssertNil(config.http.listen)
        XCTAssertNil(config.links.baseURL)
    }

    func testAnUnknownKeyNamesItsLineAndTheClosestKnownKey() {
        let found = problems("""
        http:
          listen: 127.0.0.1:9466
        sinkz:
          - type: stdout
        policy:
          group_wiat: 10s
        """)
        XCTAssertEqual(found.count, 2)
        XCTAssertEqual(found[0].line, 3)
        XCTAssertEqual(found[0].key, "sinkz")
        XCTAssertTrue(found[0].message.contains("did you mean 'sinks'?"), found[0].message)
        XCTAssertEqual(found[1].description.prefix(28), "c.yaml:6: policy.group_wiat:")
        XCTAssertTrue(found[1].message.contains("did you mean 'group_wait'?"), found[1].message)
    }

    func testEveryInvalidValueIsReportedAtOnceWithItsKeyPathAndLine() {
        let found = problems("""
        state_dir: relative/dir
        http: { listen: "localhost" }
        rules: { disable: [Bad_Id] }
        sources:
          - { type: file, paths: ["/var/log/[ab.log"], from: middle }
          - { type: journal, units: ["not a unit"], matches: ["hostname=x"] }
          - { type: docker, container: litellm, paths: ["/x/*.log"] }
          - { type: kafka }
        policy: { group_wait: 10 seconds, resolve_after: 0s }
        sinks:
          - { name: a, type: slack, url: "ftp://hooks.example.com/x" }
          - { name: a, type: teams, url: "https://x.example.com/y", url_env: TEAMS_URL }
          - { name: b, type: alertmanager, url: "http://am:9093/api/v2/alerts" }
          - { name: c, type: discord }
          - { name: d, type: stdout, url: "https://x.example.com" }
          - { name: e, type: generic, url_env: "1BAD", classes: [auth, benign], min_severity: fatal, max_per_minute: 0, timeout: 0s }
        outbox: { max_notices: many }
        """)
        let byKey = Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let expected: [(String, Int, String)] = [
            ("state_dir", 1, "absolute"),
            ("http.listen", 2, "host:port"),
            ("rules.disable[0]", 3, "not a rule id"),
            ("sources[0].paths[0]", 5, "'['"),
            ("sources[0].from", 5, "not one of end, start"),
            ("sources[1].units[0]", 6, "unit name"),
            ("sources[1].matches[0]", 6, "FIELD=VALUE"),
            ("sources[2]", 7, "exactly one of container or paths"),
            ("sources[3].type", 8, "unknown source type"),
            ("policy.group_wait", 9, "duration"),
            ("policy.resolve_after", 9, "longer than 0"),
            ("sinks[0].url", 11, "http:// or https://"),
            ("sinks[1].name", 12, "duplicate sink name 'a'"),
            ("sinks[1]", 12, "only one of url, urls, url_env and url_file"),
            ("sinks[2].url", 13, "base URL"),
            ("sinks[3]", 14, "needs one of url_env"),
            ("sinks[4].url", 15, "takes no URL"),
            ("sinks[5].url_env", 16, "environment variable name"),
            ("sinks[5].classes[1]", 16, "unknown class 'benign'"),
            ("sinks[5].min_severity", 16, "info, warning, error, critical"),
            ("sinks[5].max_per_minute", 16, "at least 1"),
            ("sinks[5].timeout", 16, "longer than 0"),
            ("outbox.max_notices", 17, "whole number"),
        ]
        for (key, line, text) in expected {
            guard let problem = byKey[key] else { XCTFail("no problem for \(key); got \(found)"); continue }
            XCTAssertEqual(problem.line, line, "\(key): \(problem)")
            XCTAssertTrue(problem.message.contains(text), "\(key): \(problem.message)")
        }
        XCTAssertEqual(found.count, expected.count, found.map(\.description).joined(separator: "\n"))
    }

    func testStructuralMistakesAreProblemsNotCrashes() {
        let cases: [(String, String)] = [
            ("- a\n- b\n", "(file)"),
            ("sources: []\n", "sources"),
            ("sources: { type: file }\n", "sources"),
            ("sinks: []\n", "sinks"),
            ("sources:\n  - just-a-string\n", "sources[0]"),
            ("sources:\n  - { paths: [/x] }\n", "sources[0].type"),
            ("sources:\n  - { type: file }\n", "sources[0].paths"),
            ("sources:\n  - { type: journal, units: [] }\n", "sources[0]"),
            ("sources:\n  - { type: stdin }\n  - { type: stdin }\n", "sources"),
            ("rules: { dirs: /etc/logwatch/rules.d }\n", "rules.dirs"),
            ("links: { base_url: 'not a url' }\n", "links.base_url"),
            ("sinks:\n  - { type: slack, url: 'https://h:99999/x' }\n", "sinks[0].url"),
            ("http: [1, 2]\n", "http"),
            ("policy: { group_wait: '' }\n", "policy.group_wait"),
            ("state_dir: [a\n", "(yaml)"),
            ("http: { listen: 1.2.3.4:80 }\nhttp: { listen: off }\n", "http"),
            ("sinks:\n  - { type: stdout, type: slack }\n", "type"),
        ]
        for (text, key) in cases {
            let found = problems(text)
            XCTAssertTrue(found.contains { $0.key == key }, "\(text.debugDescription): expected \(key), got \(found)")
        }
    }

    func testIntervalsParseAndPrintInTheirShortestForm() {
        let cases: [(String, Int, String)] = [
            ("250ms", 250, "250ms"), ("10s", 10_000, "10s"), ("5m", 300_000, "5m"), ("4h", 14_400_000, "4h"),
            ("90s", 90_000, "1m30s"), ("1h30m", 5_400_000, "1h30m"), ("1d", 86_400_000, "24h"), ("1500ms", 1_500, "1500ms"),
            ("0s", 0, "0s"),
        ]
        for (text, milliseconds, printed) in cases {
            let interval = Config.Interval.parse(text)
            XCTAssertEqual(interval?.milliseconds, milliseconds, text)
            XCTAssertEqual(interval?.description, printed, text)
        }
        for bad in ["", "10", "s", "10 s", "-5s", "5x", "1.5s", "m5", "99999999999h"] {
            XCTAssertNil(Config.Interval.parse(bad), bad)
        }
    }

    func testSinkURLsAreMaskedDownToSchemeHostAndLastFour() {
        let cases: [(String, String)] = [
            ("https://hooks.slack.com/services/T000/B000/XXXXabcd", "https://hooks.slack.com/****abcd"),
            ("https://discord.com/api/webhooks/123/tokenWXYZ", "https://discord.com/****WXYZ"),
            ("http://am:9093", "http://am:9093"),
            ("http://am:9093/", "http://am:9093/"),
            ("https://user:pa55word@hooks.example.com/x", "https://****@hooks.example.com/****"),
            ("https://example.com/hook?token=secret-value-9876", "https://example.com/****9876"),
            ("not a url at all", "****"),
        ]
        for (url, masked) in cases {
            XCTAssertEqual(ConfigRenderer.maskURL(url), masked, url)
        }
    }

    func testTheEffectiveConfigParsesBackToTheSameConfig() throws {
        var config = try parse("""
        state_dir: /var/lib/logwatch
        rules: { dirs: ["/opt/rules dir"], disable: [a-b] }
        sources:
          - { type: file, paths: ["/var/log/litellm/*.log", "/tmp/x: y.log"] }
          - { type: journal, units: [litellm.service], directory: /j }
          - { type: docker, container: litellm }
          - { type: cri, paths: ["/var/log/containers/l-*.log"] }
          - { type: stdin }
        policy: { group_interval: 90s }
        sinks:
          - { name: off, type: stdout, classes: [auth] }
          - { name: am, type: alertmanager, url: "http://am:9093" }
        """)
        config.keyLines = [:]
        let printed = ConfigRenderer.render(config)
        var again = try parse(printed)
        again.keyLines = [:]
        XCTAssertEqual(again, config, printed)
        XCTAssertEqual(ConfigRenderer.render(again), printed)
    }

    func testUnitNamesGetTheirServiceSuffixLikeJournalctl() {
        XCTAssertEqual(ConfigParser.unitName("litellm"), "litellm.service")
        XCTAssertEqual(ConfigParser.unitName("docker-litellm.scope"), "docker-litellm.scope")
        XCTAssertEqual(ConfigParser.unitName("getty@tty1.service"), "getty@tty1.service")
        XCTAssertNil(ConfigParser.unitName("litellm.exe"))
        XCTAssertNil(ConfigParser.unitName("lite llm"))
        XCTAssertNil(ConfigParser.unitName(".service"))
    }
}
