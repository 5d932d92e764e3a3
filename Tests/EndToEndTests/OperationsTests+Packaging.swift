import Foundation
import TestSupport
import XCTest

/// What the Debian package, the container image and the examples rely on (issue 16): the config
/// installed in /etc passes `config check` with no environment, `--version` names the build and
/// counts the rules it would load, `LOGWATCH_*` variables override the file and are checked, and
/// every shipped example config is valid. The package and image themselves are tested by
/// `make deb-test` and `make image-test` (too heavy for `make test`).
extension OperationsTests {
    /// The built binary with no inherited environment: an operator's or CI's variables must not
    /// make a check pass.
    func runIsolated(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try run(arguments, environment: environment, in: folder, inherit: false)
    }

    func repositoryPath(_ relative: String) -> String { Self.repository.appendingPathComponent(relative).path }

    func ruleFiles(in directory: String) -> Int {
        let names = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(".yaml") }.count
    }

    // MARK: - The installed config

    func testTheInstalledConfigPassesConfigCheckWithAnEmptyEnvironment() throws {
        let result = try runIsolated(["config", "check", "--config", repositoryPath("systemd/config.yaml")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasSuffix(" rules, 1 source(s), 1 sink(s).\n"), result.stdout)
        // The golden is what an operator reads after installing; the state directory follows the
        // user running the check (no STATE_DIRECTORY outside the unit) and is not its subject.
        var stable = result.stdout.replacingOccurrences(of: Self.repository.path, with: "<repo>")
        stable = stable.replacingOccurrences(of: #"(?m)^state_dir: .*$"#, with: "state_dir: <home>/.local/state/logwatch",
                                             options: .regularExpression)
            .replacingOccurrences(of: #"# OK: [0-9]+ rules"#, with: "# OK: N rules", options: .regularExpression)
        try assertGolden(stable, "config-check-installed.yaml")
    }

    func testEveryShippedExampleConfigPassesConfigCheck() throws {
        // The container image's own config, the compose sidecar's, and the ConfigMap's.
        let configMap = try String(contentsOfFile: repositoryPath("examples/kubernetes/logwatch.yaml"), encoding: .utf8)
        let lines = configMap.components(separatedBy: "\n")
        let start = try XCTUnwrap(lines.firstIndex(of: "  config.yaml: |"), "the ConfigMap holds no config.yaml")
        let embedded = lines[(start + 1)...].prefix { $0.hasPrefix("    ") || $0.isEmpty }.map { String($0.dropFirst(4)) }
        let kubernetes = folder.appendingPathComponent("k8s-config.yaml")
        try Data(embedded.joined(separator: "\n").utf8).write(to: kubernetes)
        // The compose sidecar follows the container `litellm`; `config check` refuses a container
        // the engine does not have, so the check runs against a Docker root that holds one, as the
        // compose deployment's does.
        let dockerRoot = folder.appendingPathComponent("docker")
        let container = dockerRoot.appendingPathComponent("containers/0123456789ab")
        try FileManager.default.createDirectory(at: container, withIntermediateDirectories: true)
        try Data(#"{"Name":"/litellm"}"#.utf8).write(to: container.appendingPathComponent("config.v2.json"))
        try Data().write(to: container.appendingPathComponent("0123456789ab-json.log"))
        for (config, sources) in [(repositoryPath("tools/package/container.yaml"), "type: file"),
                                  (repositoryPath("examples/docker-compose/logwatch.yaml"), "type: docker"),
                                  (kubernetes.path, "type: cri")] {
            let result = try runIsolated(["config", "check", "--config", config], environment: ["DOCKER_ROOT": dockerRoot.path])
            XCTAssertEqual(result.status, 0, "\(config): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("  - \(sources)\n"), "\(config): \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("1 source(s), 1 sink(s)."), "\(config): \(result.stdout)")
        }
    }

    // MARK: - --version

    func testVersionNamesTheBuildAndCountsTheRulesItWouldLoad() throws {
        let result = try runIsolated(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let pattern = #"^logwatch ([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+~-]*) \(([0-9]+) rules in (.+)\)\n$"#
        let regex = try NSRegularExpression(pattern: pattern)
        let text = result.stdout
        let match = try XCTUnwrap(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), text)
        let field = { (index: Int) in String(text[Range(match.range(at: index), in: text)!]) }
        XCTAssertEqual(field(3), repositoryPath("Rules"))
        XCTAssertEqual(Int(field(2)), ruleFiles(in: repositoryPath("Rules")), "the count is the catalogue's, as loaded")
        // --help and the man page (made from the same help) carry the same version.
        let help = try runIsolated(["--help"])
        XCTAssertTrue(help.stdout.contains("Version \(field(1));"), help.stdout)

        // Counted at run time: a catalogue of two rules says two.
        let small = folder.appendingPathComponent("rules/auth")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        for id in ["azure-auth-401", "anthropic-auth-401"] {
            let source = try XCTUnwrap(FileManager.default.enumerator(atPath: repositoryPath("Rules"))?
                .compactMap { $0 as? String }.first { $0.hasSuffix("/\(id).yaml") }, "no rule \(id) in Rules/")
            try FileManager.default.copyItem(atPath: repositoryPath("Rules/\(source)"), toPath: small.appendingPathComponent("\(id).yaml").path)
        }
        let two = try runIsolated(["--version"], environment: ["LOGWATCH_RULES": small.deletingLastPathComponent().path])
        XCTAssertEqual(two.stdout, "logwatch \(field(1)) (2 rules in \(small.deletingLastPathComponent().path))\n", two.stderr)

        // Found on PATH (argv[0] a bare name) from a folder with a Rules/ of its own: the
        // catalogue beside the binary is the one loaded, not the working directory's.
        let decoy = folder.appendingPathComponent("Rules/auth")
        try FileManager.default.createDirectory(at: decoy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: small.appendingPathComponent("azure-auth-401.yaml").path,
                                         toPath: decoy.appendingPathComponent("azure-auth-401.yaml").path)
        let binDirectory = EndToEndTests.binary.deletingLastPathComponent().path
        let onPath = try run(["PATH=\(binDirectory)", "logwatch", "--version"], executable: "/usr/bin/env", in: folder, inherit: false)
        XCTAssertTrue(onPath.stdout.hasSuffix(" rules in \(repositoryPath("Rules")))\n"), onPath.stdout + onPath.stderr)

        // No catalogue: the version still prints, and the missing rules are said, not hidden.
        let none = try runIsolated(["--version"], environment: ["LOGWATCH_RULES": folder.appendingPathComponent("nothing").path])
        XCTAssertEqual(none.status, 0)
        XCTAssertEqual(none.stdout, "logwatch \(field(1))\n")
        XCTAssertTrue(none.stderr.contains("rules not counted:"), none.stderr)
    }

    // MARK: - LOGWATCH_* variables

    func testLogwatchVariablesOverrideTheFileAndAreCheckedLikeIt() throws {
        let installed = repositoryPath("systemd/config.yaml")
        let secret = "https://hooks.slack.com/services/T000/B000/SECRETxyzw9Xz"
        let result = try runIsolated(["config", "check"], environment: [
            "LOGWATCH_CONFIG": installed, "LOGWATCH_LISTEN": "127.0.0.1:9999", "LOGWATCH_FILES": "/srv/logs/*.log, /srv/other.log",
            "LOGWATCH_FROM": "start", "LOGWATCH_WEBHOOK_URL": secret, "LOGWATCH_WEBHOOK_FORMAT": "slack",
            "LOGWATCH_STATE_DIR": "/srv/state",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = result.stdout
        XCTAssertTrue(out.hasPrefix("# Effective config from \(installed) (URLs masked)\n"
            + "# Overridden by the environment: LOGWATCH_STATE_DIR, LOGWATCH_LISTEN, LOGWATCH_FILES, LOGWATCH_FROM, "
            + "LOGWATCH_WEBHOOK_URL, LOGWATCH_WEBHOOK_FORMAT\n"), out)
        XCTAssertTrue(out.contains("state_dir: /srv/state\n"), out)
        XCTAssertTrue(out.contains("  listen: 127.0.0.1:9999\n"), out)
        XCTAssertTrue(out.contains("  base_url: http://127.0.0.1:9999/entries\n"), "links follow the new listener: \(out)")
        XCTAssertTrue(out.contains("  - type: file\n    paths: [/srv/logs/*.log, /srv/other.log]\n    from: start\n"), out)
        XCTAssertFalse(out.contains("type: journal"), "LOGWATCH_FILES replaces the file's sources: \(out)")
        XCTAssertTrue(out.contains("  - name: webhook\n    type: slack\n    url: https://hooks.slack.com/****w9Xz  # from url_env LOGWATCH_WEBHOOK_URL\n"), out)
        XCTAssertTrue(out.hasSuffix(" rules, 1 source(s), 2 sink(s).\n"), out)
        XCTAssertFalse(out.contains("SECRET") || result.stderr.contains("SECRET"))

        // Bad values: every problem at once, named by variable, exit 1, nothing printed as valid.
        let bad = try runIsolated(["config", "check", "--config", installed], environment: [
            "LOGWATCH_LISTEN": "everywhere", "LOGWATCH_FROM": "middle", "LOGWATCH_STATE_DIR": "relative/state",
            "LOGWATCH_WEBHOOK_FORMAT": "stdout",
        ])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stdout, "")
        for expected in ["logwatch: the config has 6 problem(s):",
                         "  environment: LOGWATCH_STATE_DIR: must be an absolute path",
                         "  environment: LOGWATCH_LISTEN: must be host:port",
                         "  environment: LOGWATCH_FROM: 'middle' is not one of start, end",
                         "  environment: LOGWATCH_FROM: applies to LOGWATCH_FILES, which is not set",
                         "  environment: LOGWATCH_WEBHOOK_FORMAT: 'stdout' is not one of slack, discord, teams, generic, alertmanager",
                         "  environment: LOGWATCH_WEBHOOK_FORMAT: applies to LOGWATCH_WEBHOOK_URL, which is not set"] {
            XCTAssertTrue(bad.stderr.contains(expected), "missing \(expected) in:\n\(bad.stderr)")
        }

        // A malformed URL is refused by the same check as url_env, without repeating it.
        let leaky = try runIsolated(["config", "check", "--config", installed],
                            environment: ["LOGWATCH_WEBHOOK_URL": "hooks.slack.com/services/SECRETnoScheme"])
        XCTAssertEqual(leaky.status, 1)
        XCTAssertTrue(leaky.stderr.contains("sinks[1].url_env: sink 'webhook': the URL in LOGWATCH_WEBHOOK_URL must be an http:// or https:// URL"),
                      leaky.stderr)
        XCTAssertFalse(leaky.stderr.contains("SECRET"), leaky.stderr)

        // `run` reads the same variables: a bad one is a configuration error (exit 2) before anything starts.
        let daemon = try runIsolated(["run"], environment: ["LOGWATCH_CONFIG": installed, "LOGWATCH_LISTEN": "nowhere"])
        XCTAssertEqual(daemon.status, 2)
        XCTAssertTrue(daemon.stderr.contains("environment: LOGWATCH_LISTEN: must be host:port"), daemon.stderr)
    }
}
