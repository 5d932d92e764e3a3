import Foundation
import LogwatchCore
import LogwatchIO
import TestSupport
import XCTest

/// Real files in a temporary folder: the config, credential files, rule directories.
final class ConfigLoaderTests: XCTestCase {
    var folder: URL!
    static let repository = Repository.root

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("logwatch-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func problems(_ path: String, _ environment: [String: String]) -> [ConfigProblem] {
        do {
            _ = try ConfigLoader.load(path: path, environment: environment)
            XCTFail("expected problems")
        } catch let errors as ConfigErrors {
            return errors.problems
        } catch {
            XCTFail("unexpected \(error)")
        }
        return []
    }

    let slack = "https://hooks.slack.com/services/T0000/B0000/SECRETsecretSECRET9876"

    func testURLsResolveFromTheEnvironmentAndFromCredentialFiles() throws {
        try write("creds/hook", "  https://receiver.example.com:8443/hook/SECRETsecret4321\n")
        let path = try write("config.yaml", """
        sinks:
          - { name: slack, type: slack, url_env: SLACK_WEBHOOK_URL }
          - { name: hook, type: generic, url_file: "${CREDENTIALS_DIRECTORY}/hook" }
          - { name: relative, type: teams, url_file: creds/hook }
          - { name: console, type: stdout }
        """)
        let config = try ConfigLoader.load(path: path, environment: [
            "SLACK_WEBHOOK_URL": slack, "CREDENTIALS_DIRECTORY": folder.appendingPathComponent("creds").path,
        ])
        XCTAssertEqual(config.sinks.map(\.url), [slack, "https://receiver.example.com:8443/hook/SECRETsecret4321",
                                                 "https://receiver.example.com:8443/hook/SECRETsecret4321", nil])
        let printed = ConfigRenderer.render(config)
        XCTAssertFalse(printed.contains("SECRET"), printed)
        XCTAssertTrue(printed.contains("url: https://hooks.slack.com/****9876  # from url_env SLACK_WEBHOOK_URL"), printed)
        XCTAssertTrue(printed.contains("url: https://receiver.example.com:8443/****4321"), printed)
    }

    func testSecretProblemsNameTheSinkAndKeyButNeverTheSecret() throws {
        try write("empty", "\n")
        try write("two-lines", "https://a.example.com/x\nhttps://b.example.com/y\n")
        let path = try write("config.yaml", """
        sinks:
          - { name: unset, type: slack, url_env: NOT_SET }
          - { name: ftp, type: slack, url_env: FTP_URL }
          - { name: no-creds, type: discord, url_file: "${CREDENTIALS_DIRECTORY}/discord" }
          - { name: missing, type: generic, url_file: missing-file }
          - { name: empty, type: generic, url_file: empty }
          - { name: two, type: generic, url_file: two-lines }
          - { name: am, type: alertmanager, url_env: AM_URL }
        """)
        let found = problems(path, ["FTP_URL": "ftp://files.example.com/SECRETsecret", "AM_URL": "http://am:9093/SECRETpath"])
        let expected: [(Int, String, String)] = [
            (2, "sinks[0].url_env", "sink 'unset': the environment variable NOT_SET is not set"),
            (3, "sinks[1].url_env", "sink 'ftp': the URL in FTP_URL must be an http:// or https:// URL"),
            (4, "sinks[2].url_file", "sink 'no-creds': CREDENTIALS_DIRECTORY is not set (systemd sets it for LoadCredential=)"),
            (5, "sinks[3].url_file", "sink 'missing': cannot read \(folder.path)/missing-file"),
            (6, "sinks[4].url_file", "must hold exactly one URL"),
            (7, "sinks[5].url_file", "must hold exactly one URL"),
            (8, "sinks[6].url_env", "must be Alertmanager's base URL"),
        ]
        XCTAssertEqual(found.count, expected.count, found.map(\.description).joined(separator: "\n"))
        for ((line, key, text), problem) in zip(expected, found) {
            XCTAssertEqual(problem.line, line, problem.description)
            XCTAssertEqual(problem.key, key, problem.description)
            XCTAssertEqual(problem.file, path)
            XCTAssertTrue(problem.message.contains(text), problem.description)
            XCTAssertFalse(problem.description.contains("SECRET"), problem.description)
        }
    }

    func testRelativePathsAreResolvedAgainstTheConfigFolder() throws {
        let path = try write("etc/config.yaml", """
        rules: { dirs: [rules.d, /abs/rules] }
        sources:
          - { type: file, paths: ["logs/*.log"] }
          - { type: journal, units: [litellm], directory: journal }
        """)
        let config = try ConfigLoader.load(path: path, environment: ["STATE_DIRECTORY": "/var/lib/logwatch:/var/lib/other"])
        let etc = folder.appendingPathComponent("etc").path
        XCTAssertEqual(config.rules.directories, ["\(etc)/rules.d", "/abs/rules"])
        XCTAssertEqual(config.sources, [.file(.init(paths: ["\(etc)/logs/*.log"])),
                                        .journal(.init(units: ["litellm.service"], directory: "\(etc)/journal"))])
        XCTAssertEqual(config.stateDirectory, "/var/lib/logwatch", "the first of systemd's StateDirectory= list")
    }

    func testSourcesThatMatchNothingYetAreWarningsNotErrors() throws {
        try write("logs/proxy-1.log", "x\n")
        let path = try write("config.yaml", """
        sources:
          - { type: file, paths: ["logs/proxy-*.log", "logs/none-*.log"] }
          - { type: journal, units: [litellm], directory: no-journal }
        """)
        let config = try ConfigLoader.load(path: path, environment: [:])
        XCTAssertEqual(ConfigLoader.warnings(for: config, file: path).map(\.description), [
            "\(path):2: sources[0].paths[1]: matches no file now; it is read once it appears",
            "\(path):3: sources[1].directory: \(folder.path)/no-journal does not exist (yet)",
        ])
    }

    func testTheStateDirectoryDefaultsFollowSystemdThenXDGThenHome() {
        XCTAssertEqual(ConfigLoader.defaultStateDirectory(environment: ["STATE_DIRECTORY": "/var/lib/logwatch", "HOME": "/h"]),
                       "/var/lib/logwatch")
        XCTAssertEqual(ConfigLoader.defaultStateDirectory(environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]), "/x/logwatch")
        XCTAssertEqual(ConfigLoader.defaultStateDirectory(environment: ["HOME": "/h"]), "/h/.local/state/logwatch")
    }

    func testAnUnreadableFileIsItsOwnError() throws {
        XCTAssertThrowsError(try ConfigLoader.load(path: folder.appendingPathComponent("absent.yaml").path, environment: [:])) {
            XCTAssertTrue($0 is ConfigLoader.UnreadableFile, "\($0)")
        }
        let binary = folder.appendingPathComponent("binary.yaml")
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: binary)
        XCTAssertThrowsError(try ConfigLoader.load(path: binary.path, environment: [:])) {
            XCTAssertTrue($0 is ConfigLoader.UnreadableFile, "\($0)")
        }
    }

    func testDisabledRulesAreLeftOutAndAnUnknownDisabledIdIsAProblem() throws {
        let rules = Self.repository.appendingPathComponent("Rules").path
        let good = try write("good.yaml", "rules: { dirs: [\"\(rules)\"], disable: [azure-auth-401] }\n")
        let loaded = try ConfigLoader.loadWithRules(path: good, environment: [:])
        XCTAssertEqual(loaded.config.rules.disabled, ["azure-auth-401"])
        XCTAssertFalse(loaded.specs.contains { $0.id == "azure-auth-401" })
        XCTAssertNil(loaded.ruleSet.rule(id: "azure-auth-401"))
        XCTAssertNotNil(loaded.ruleSet.rule(id: "proxy-virtual-key-not-found"))

        let typo = try write("typo.yaml", "rules:\n  dirs: [\"\(rules)\"]\n  disable: [azure-auth-401, azure-auth-410]\n")
        XCTAssertThrowsError(try ConfigLoader.loadRules(for: ConfigLoader.load(path: typo, environment: [:]), file: typo)) {
            let problems = ($0 as? ConfigErrors)?.problems ?? []
            XCTAssertEqual(problems.map(\.description), ["\(typo):3: rules.disable[1]: no rule has the id 'azure-auth-410' (see 'logwatch rules list')"])
        }
    }
}
