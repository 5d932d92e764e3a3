import Foundation
import TestSupport
import XCTest

/// The operator's side of the built binary: `config check`, the systemd unit as
/// systemd-analyze sees it, PCRE2 without JIT (MemoryDenyWriteExecute), `make install`.
final class OperationsTests: XCTestCase {
    static let repository = EndToEndTests.repository
    var folder: URL!

    override func setUpWithError() throws {
        folder = try Scratch.directory("logwatch-ops")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    typealias Run = ProcessRunner.Result

    /// Runs `executable` (default: the built logwatch) in the repository with a controlled environment.
    /// `inherit: false` starts from an empty environment (only NO_COLOR and `extra`).
    func run(_ arguments: [String], executable: String? = nil, environment extra: [String: String] = [:],
             in directory: URL = OperationsTests.repository, inherit: Bool = true) throws -> Run {
        var environment: [String: String?] = ["NO_COLOR": "1"]
        if !inherit { for key in ProcessInfo.processInfo.environment.keys where key != "NO_COLOR" { environment[key] = .some(nil) } }
        for key in ["SLACK_WEBHOOK_URL", "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY", "LOGWATCH_RULES"] {
            environment[key] = .some(nil)
        }
        for (key, value) in extra { environment[key] = value }
        return try ProcessRunner.run(URL(fileURLWithPath: executable ?? EndToEndTests.binary.path), arguments,
                                     environment: environment, directory: directory)
    }

    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try Golden.assertMatches(text, Self.repository.appendingPathComponent("Tests/EndToEndTests/Golden/\(name)"),
                                 file: file, line: line)
    }

    /// The number in "N passed, 0 failed" from `rules check`, or nil when something failed.
    static func passedRules(_ output: String) -> Int? {
        guard let line = output.split(separator: "\n").last(where: { $0.hasSuffix(" passed, 0 failed") }) else { return nil }
        return Int(line.split(separator: " ")[0])
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    // MARK: - config check

    let slack = "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/SECRETsecretSECRETw9Xz"

    func testConfigCheckPrintsTheEffectiveConfigWithURLsMaskedAsItsGolden() throws {
        _ = try write("creds/webhook_teams", "https://example.webhook.office.com/webhookb2/SECRETsecretSECRET/IncomingWebhook/abc/tEaM\n")
        // `config check` refuses a container `run` could not find: a Docker data root that has it.
        let id = String(repeating: "ab12", count: 16)
        _ = try write("docker/containers/\(id)/config.v2.json", #"{"Name":"/litellm"}"#)
        _ = try write("docker/containers/\(id)/\(id)-json.log", "")
        let config = try write("etc/config.yaml", """
        # Every section, so the golden shows every printed form.
        rules:
          dirs: [\(Self.repository.path)/Rules]
          disable: [azure-auth-401, uvicorn-access-401]
        sources:
          - { type: file, paths: ["logs/*.log"], from: start }
          - { type: journal, units: [litellm], matches: ["_HOSTNAME=proxy-1"] }
          - { type: docker, container: litellm }
          - { type: cri, paths: ["/var/log/containers/litellm-*.log"] }
        policy: { group_wait: 30s, repeat_interval: 1h30m }
        sinks:
          - { name: console, type: stdout, min_severity: error }
          - name: ops-slack
            type: slack
            url_env: SLACK_WEBHOOK_URL
            classes: [auth, quota]
            min_severity: warning
          - { name: teams, type: teams, url_file: "${CREDENTIALS_DIRECTORY}/webhook_teams", max_per_minute: 2 }
          - { name: am, type: alertmanager, url: "http://alertmanager.internal:9093", timeout: 2500ms }
        outbox: { max_notices: 500 }
        """)
        let result = try run(["config", "check", "--config", config], environment: [
            "SLACK_WEBHOOK_URL": slack, "CREDENTIALS_DIRECTORY": folder.appendingPathComponent("creds").path,
            "STATE_DIRECTORY": "/var/lib/logwatch", "DOCKER_ROOT": folder.appendingPathComponent("docker").path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("SECRET") || result.stderr.contains("SECRET"), result.stdout)
        // Machine paths and the catalogue's size (it grows) are not what this golden is about.
        var stable = result.stdout.replacingOccurrences(of: Self.repository.path, with: "<repo>")
            .replacingOccurrences(of: folder.path, with: "<tmp>")
        if let range = stable.range(of: #"# OK: [0-9]+ rules"#, options: .regularExpression) {
            stable.replaceSubrange(range, with: "# OK: N rules")
        }
        try assertGolden(stable, "config-check-full.yaml")
    }

    func testTheExampleConfigPassesWithItsWebhookVariableSet() throws {
        let example = Self.repository.appendingPathComponent("systemd/config.example.yaml").path
        let result = try run(["config", "check", "--config", example], environment: ["SLACK_WEBHOOK_URL": slack])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("url: https://hooks.slack.com/****w9Xz  # from url_env SLACK_WEBHOOK_URL"), result.stdout)
        XCTAssertTrue(result.stdout.contains(" rules, 1 source(s), 2 sink(s).\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  dirs: []  # the shipped catalogue: \(Self.repository.path)/Rules\n"), result.stdout)

        let unset = try run(["config", "check", "--config", example])
        XCTAssertEqual(unset.status, 1)
        XCTAssertTrue(unset.stderr.contains("sinks[1].url_env: sink 'ops-slack': the environment variable SLACK_WEBHOOK_URL is not set"),
                      unset.stderr)
    }

    func testConfigCheckNamesFileLineAndKeyAndExits1ButExits2ForAnUnreadableFile() throws {
        let bad = try write("bad.yaml", """
        http: { listen: 127.0.0.1:9466 }
        sources:
          - { type: journal, units: [litellm.service] }
        sinkz:
          - { type: stdout }
        """)
        let result = try run(["config", "check", "--config", bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("\(bad):4: sinkz: unknown key (did you mean 'sinks'? allowed:"), result.stderr)

        let leaky = try write("leaky.yaml", "sinks:\n  - { type: slack, url_env: HOOK }\n")
        let secret = try run(["config", "check", "--config", leaky], environment: ["HOOK": "hooks.slack.com/services/SECRETnoScheme"])
        XCTAssertEqual(secret.status, 1)
        XCTAssertTrue(secret.stderr.contains("\(leaky):2: sinks[0].url_env: sink 'slack': the URL in HOOK must be an http:// or https:// URL"),
                      secret.stderr)
        XCTAssertFalse(secret.stderr.contains("SECRET"), secret.stderr)

        let rules = try write("rules.yaml", "rules:\n  dirs: [no-such-rules]\n")
        let missingRules = try run(["config", "check", "--config", rules])
        XCTAssertEqual(missingRules.status, 1)
        XCTAssertTrue(missingRules.stderr.contains("\(rules):2: rules.dirs[0]: the rule directory \(folder.path)/no-such-rules does not exist"),
                      missingRules.stderr)

        let absent = try run(["config", "check", "--config", folder.appendingPathComponent("absent.yaml").path])
        XCTAssertEqual(absent.status, 2)
        XCTAssertTrue(absent.stderr.contains("cannot read the config file"), absent.stderr)
    }

    // MARK: - Help

    /// Every command, found by walking the SUBCOMMANDS of each help page, has an abstract and examples.
    func testEverySubcommandsHelpHasAnAbstractAndExamples() throws {
        var pending: [[String]] = [[]]
        var seen: [String] = []
        while let command = pending.popLast() {
            let help = try run(command + ["--help"])
            let name = (["logwatch"] + command).joined(separator: " ")
            seen.append(name)
            XCTAssertEqual(help.status, 0, "\(name): \(help.stderr)")
            XCTAssertTrue(help.stdout.hasPrefix("OVERVIEW: "), "\(name) has no abstract")
            XCTAssertTrue(help.stdout.contains("Examples:\n  logwatch"), "\(name) --help has no Examples section")
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { continue }
            for line in lines[(start + 1)...] {
                guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first,
                      word != "See" else { continue }
                pending.append(command + [String(word)])
            }
        }
        XCTAssertTrue(seen.contains("logwatch config check"), "\(seen)")
        XCTAssertGreaterThanOrEqual(seen.count, 11, "\(seen)")
    }

    // MARK: - PCRE2 without JIT

    /// systemd's MemoryDenyWriteExecute=yes forbids W+X memory, which PCRE2's JIT needs. Linux's
    /// PR_SET_MDWE (prctl 65, inherited across exec) applies the same rule to one process tree,
    /// so the binary runs here exactly as under the unit.
    func testWithoutWritableExecutableMemoryPCRE2FallsBackToTheInterpreterWithTheSameResults() throws {
        guard let python = Repository.which("python3") else { throw XCTSkip("python3 is needed to set PR_SET_MDWE") }
        let wrapper = """
        import ctypes, mmap, os, sys
        if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0: sys.exit(77)
        try:
            mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            sys.exit(78)
        except OSError:
            pass
        os.execv(sys.argv[1], sys.argv[1:])
        """
        let script = try write("mdwe.py", wrapper)
        let binary = EndToEndTests.binary.path
        let seed = "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. api_key=sk-abcdefgh12345678"
        let commands: [[String]] = [
            // Every rule's examples with their expected fields: the widest PCRE2 workout there is.
            ["rules", "check"],
            ["explain", "--line", seed, "--json"],
            ["config", "check", "--config", try write("c.yaml", "rules: { dirs: [\(Self.repository.path)/Rules] }\n")],
        ]
        for command in commands {
            let normal = try run(command)
            let guarded = try run([script, binary] + command, executable: python)
            if guarded.status == 77 { throw XCTSkip("this kernel has no PR_SET_MDWE") }
            XCTAssertNotEqual(guarded.status, 78, "W+X memory was still allowed: the test would prove nothing")
            XCTAssertEqual(guarded.status, normal.status, "\(command): \(guarded.stderr)")
            XCTAssertEqual(guarded.stdout, normal.stdout, "\(command)")
            XCTAssertFalse(guarded.stdout.isEmpty, "\(command)")
            if command[0] == "config" {
                XCTAssertTrue(guarded.stderr.contains("PCRE2 JIT is unavailable"), guarded.stderr)
                XCTAssertFalse(normal.stderr.contains("PCRE2 JIT is unavailable"), "JIT works outside: \(normal.stderr)")
            }
        }
    }

    // MARK: - systemd unit

    func testTheUnitRatesAtMost2AndVerifiesClean() throws {
        guard let analyze = Repository.which("systemd-analyze") else { throw XCTSkip("systemd-analyze is not installed") }
        let unit = Self.repository.appendingPathComponent("systemd/logwatch.service").path
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        for line in ["Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "DynamicUser=yes",
                     "SupplementaryGroups=systemd-journal adm", "StateDirectory=logwatch", "ConfigurationDirectory=logwatch",
                     "MemoryDenyWriteExecute=yes",
                     "ExecStartPre=/usr/local/bin/logwatch config check --config /etc/logwatch/config.yaml",
                     "ExecStart=/usr/local/bin/logwatch run --config /etc/logwatch/config.yaml",
                     "ExecReload=/usr/local/bin/logwatch config check --config /etc/logwatch/config.yaml",
                     "ExecReload=/bin/kill -HUP $MAINPID"] {
            XCTAssertTrue(text.split(separator: "\n").contains(Substring(line)), "missing \(line)")
        }
        // Every setting is explained by a comment right above it (or above its group).
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let start = lines.firstIndex(where: { $0.hasPrefix("# --- Hardening") }) {
            for (index, line) in lines.enumerated().dropFirst(start + 1) {
                if line.hasPrefix("[") { break }
                guard line.contains("="), !line.hasPrefix("#") else { continue }
                var above = index - 1
                while above > start, !lines[above].hasPrefix("#"), lines[above].contains("=") { above -= 1 }
                XCTAssertTrue(lines[above].hasPrefix("#"), "no comment explains \(line)")
            }
        }

        let security = try run(["security", "--offline=yes", unit], executable: analyze)
        let overall = security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }
        let figure = overall.flatMap { line in line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) } }
        let score = try XCTUnwrap(figure, "no overall exposure in: \(security.stdout)\(security.stderr)")
        XCTAssertLessThanOrEqual(score, 2.0, security.stdout)

        // verify wants the ExecStart binaries to exist: a copy pointing at the built binary.
        let copy = folder.appendingPathComponent("logwatch.service")
        try Data(text.replacingOccurrences(of: "/usr/local/bin/logwatch", with: EndToEndTests.binary.path).utf8).write(to: copy)
        let verify = try run(["verify", copy.path], executable: analyze)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertEqual(verify.stderr + verify.stdout, "", "systemd-analyze verify is not clean")
    }

    /// The unit's SystemCallFilter= as the set of system calls it allows, expanded through
    /// `systemd-analyze syscall-filter` (which knows this systemd's groups).
    func allowedSystemCalls(unit: String, analyze: String) throws -> Set<String> {
        let listing = try run(["syscall-filter"], executable: analyze).stdout
        var groups: [String: [String]] = [:]
        var current: String?
        for line in listing.split(separator: "\n") {
            if line.hasPrefix("@") { current = String(line.split(separator: " ")[0]); groups[current!] = []; continue }
            let item = line.trimmingCharacters(in: .whitespaces)
            guard let current, !item.isEmpty, !item.hasPrefix("#") else { continue }
            groups[current]!.append(String(item.split(separator: " ")[0]))
        }
        func expand(_ name: String) -> Set<String> {
            guard name.hasPrefix("@") else { return [name] }
            return (groups[name] ?? []).reduce(into: Set<String>()) { $0.formUnion(expand($1)) }
        }
        var allowed: Set<String> = []
        var denied: Set<String> = []
        for line in try String(contentsOfFile: unit, encoding: .utf8).split(separator: "\n")
        where line.hasPrefix("SystemCallFilter=") {
            let value = line.dropFirst("SystemCallFilter=".count)
            if value.hasPrefix("~") {
                for name in value.dropFirst().split(separator: " ") { denied.formUnion(expand(String(name))) }
            } else {
                for name in value.split(separator: " ") { allowed.formUnion(expand(String(name))) }
            }
        }
        XCTAssertGreaterThan(allowed.count, 100, "could not expand the filter groups")
        return allowed.subtracting(denied)
    }

    /// A system call the filter refuses fails with EPERM under the unit, and a path ProcSubset=
    /// or ProtectHome= hides is missing there; this traces what the commands really do and
    /// checks the unit allows it all. `run` reads standard input (empty, so it ends by itself)
    /// with the state store, the HTTP listener and a webhook sender started.
    func testTheUnitAllowsEverySystemCallAndPathTheCommandsUse() throws {
        guard let analyze = Repository.which("systemd-analyze") else { throw XCTSkip("systemd-analyze is not installed") }
        guard let strace = Repository.which("strace") else { throw XCTSkip("strace is not installed (make deps installs it)") }
        let unit = Self.repository.appendingPathComponent("systemd/logwatch.service").path
        let allowed = try allowedSystemCalls(unit: unit, analyze: analyze)
        let config = try write("c.yaml", "sinks:\n  - { type: slack, url_env: HOOK }\n")
        let runConfig = try write("run.yaml", """
            state_dir: \(folder.appendingPathComponent("state").path)
            http: { listen: 127.0.0.1:0 }
            sources: [{ type: stdin }]
            sinks: [{ name: hook, type: slack, url_env: HOOK }]

            """)
        let commands: [[String]] = [
            ["run", "--config", runConfig],
            ["config", "check", "--config", config],
            ["scan", "Samples/litellm-proxy.log"],
            ["explain", "--line", "litellm.AuthenticationError: AzureException AuthenticationError - Access denied"],
        ]
        for command in commands {
            let log = folder.appendingPathComponent("strace.txt").path
            let traced = try run(["-f", "-qq", "-o", log, EndToEndTests.binary.path] + command, executable: strace,
                                 // As the unit sets it (CacheDirectory=): the rule cache stays out of the hidden home.
                                 environment: ["HOOK": "https://hooks.slack.com/services/T/B/abcdefgh",
                                               "CACHE_DIRECTORY": folder.appendingPathComponent("cache").path])
            if traced.stderr.contains("ptrace") { throw XCTSkip("ptrace is not permitted here: \(traced.stderr)") }
            XCTAssertEqual(traced.status, 0, "\(command): \(traced.stderr)")
            let trace = try String(contentsOfFile: log, encoding: .utf8)
            // Lines look like `1234  openat(AT_FDCWD, "/etc/x", O_RDONLY) = 3`.
            let call = try NSRegularExpression(pattern: #"^[0-9]+ +([a-z0-9_]+)\("#, options: .anchorsMatchLines)
            let path = try NSRegularExpression(pattern: #""(/(?:proc|home|root)(?:/[^"]*)?)""#)
            let whole = NSRange(trace.startIndex..., in: trace)
            let used = Set(call.matches(in: trace, range: whole).map { String(trace[Range($0.range(at: 1), in: trace)!]) })
            XCTAssertTrue(used.contains("openat"), "\(command): the trace looks empty: \(used.sorted())")
            // Refused under the unit, and harmless there (SystemCallErrorNumber=EPERM: the call fails,
            // the process goes on): libdispatch sets its worker threads' nice value best-effort and
            // ignores the result; SQLite chowns its WAL and journal files only when it runs as root
            // (robust_fchown), which the unit's dynamic user never is.
            var harmless: Set<String> = ["setpriority"]
            if geteuid() == 0 { harmless.insert("fchown") }
            XCTAssertEqual(used.subtracting(allowed).subtracting(harmless).sorted(), [], "\(command) makes system calls the unit refuses")
            // ProcSubset=pid leaves only per-process /proc entries; ProtectHome=yes hides /home and /root.
            let paths = Set(path.matches(in: trace, range: whole).map { String(trace[Range($0.range(at: 1), in: trace)!]) })
            let hidden = paths.filter { !$0.hasPrefix("/proc/self/") && !$0.hasPrefix("/proc/thread-self/")
                && !($0.dropFirst(6).first?.isNumber ?? false) }
            XCTAssertEqual(hidden.sorted(), [], "\(command) opens paths the unit hides")
        }
    }

    // MARK: - make install

    func testMakeInstallIntoADestdirGivesABinaryThatFindsItsRulesAndCompletions() throws {
        guard let make = Repository.which("make") else { throw XCTSkip("make is not installed") }
        let destination = folder.appendingPathComponent("root").path
        // No swift build from inside swift test (the build folder is in use): the man page is
        // made only when generate-manual was built before (make install builds it).
        let manualTool = EndToEndTests.binary.deletingLastPathComponent().appendingPathComponent("generate-manual").path
        let hasManualTool = FileManager.default.isExecutableFile(atPath: manualTool)
        let arguments = ["-s", "install", "DESTDIR=\(destination)", "INSTALL_BIN=\(EndToEndTests.binary.path)", "INSTALL_DEPS=",
                         "MANUAL_TOOL=\(hasManualTool ? manualTool : "none")"]
        let result = try run(arguments, executable: make)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let fm = FileManager.default
        for path in ["/usr/local/bin/logwatch", "/usr/local/share/logwatch/rules/auth/azure-auth-401.yaml",
                     "/etc/systemd/system/logwatch.service", "/etc/logwatch/config.yaml",
                     "/usr/local/share/bash-completion/completions/logwatch", "/usr/local/share/zsh/site-functions/_logwatch",
                     "/usr/local/share/fish/vendor_completions.d/logwatch.fish",
                     "/usr/local/share/doc/logwatch/configuration.md"] {
            XCTAssertTrue(fm.fileExists(atPath: destination + path), "not installed: \(path)")
        }
        if hasManualTool {
            let page = try String(contentsOfFile: destination + "/usr/local/share/man/man1/logwatch.1", encoding: .utf8)
            XCTAssertTrue(page.contains("logwatch config check"), "the man page lacks the config check examples")
        }
        let credentials = try fm.attributesOfItem(atPath: destination + "/etc/logwatch/credentials")
        XCTAssertEqual((credentials[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        let bash = try String(contentsOfFile: destination + "/usr/local/share/bash-completion/completions/logwatch", encoding: .utf8)
        XCTAssertTrue(bash.contains("config") && bash.contains("explain"), "bash completion lacks subcommands")

        // The installed binary finds the installed catalogue, not the source tree's.
        let rules = try run(["rules", "check"], executable: destination + "/usr/local/bin/logwatch",
                            environment: ["LOGWATCH_RULES": ""], in: folder)
        XCTAssertEqual(rules.status, 0, rules.stderr)
        let shipped = try run(["rules", "check"])
        XCTAssertNotNil(Self.passedRules(rules.stdout), rules.stdout)
        XCTAssertEqual(Self.passedRules(rules.stdout), Self.passedRules(shipped.stdout), "every rule installed")

        // A second install keeps the operator's config.
        try Data("sources: [{ type: stdin }]\n".utf8).write(to: URL(fileURLWithPath: destination + "/etc/logwatch/config.yaml"))
        let again = try run(arguments, executable: make)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: destination + "/etc/logwatch/config.yaml", encoding: .utf8),
                       "sources: [{ type: stdin }]\n")
    }
}
