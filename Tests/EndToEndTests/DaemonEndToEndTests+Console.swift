import Foundation
import TestSupport
import XCTest

/// Issue 18's console against a running daemon: `/api/v1/incidents`, `/incidents`, `status`,
/// `silence` (through restart and reload), `notify test`, and who may write.
extension DaemonEndToEndTests {
    static let quotaLine = "12:00:01 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o. Received Model Group=gpt-4o\n"

    func consoleConfig(port: Int, listen: String = "127.0.0.1", tokenFile: String? = nil) -> String {
        """
        host: console-host
        state_dir: \(path("state"))
        http:
          listen: \(listen):\(port)
        \(tokenFile.map { "  token_file: \($0)" } ?? "")
        sources:
          - { type: file, paths: [\(path("proxy.log"))], from: start }
        policy: { group_wait: 1s, group_interval: 2s, resolve_after: 10m }
        sinks:
          - { name: hook, type: generic, url_env: LOGWATCH_TEST_HOOK, max_per_minute: 100 }

        """
    }

    /// Runs the built binary to completion (a console command); status and output.
    func logwatch(_ arguments: [String]) throws -> EndToEndTests.Run { try EndToEndTests.run(arguments) }

    func incidents(_ base: String) -> [[String: Any]] {
        let body = get(base + "/api/v1/incidents").body
        return ((try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["incidents"] as? [[String: Any]]) ?? []
    }

    func startConsoleDaemon(receiver: String, port: Int) throws -> (Process, Collected, String) {
        let configPath = path("config.yaml")
        let base = "http://127.0.0.1:\(port)"
        let (process, _, stderr) = try startLogwatch(["run", "--config", configPath], hook: receiver)
        XCTAssertTrue(waitUntil(60) { get(base + "/readyz").status == 200 }, stderr.text)
        return (process, stderr, base)
    }

    func testConsoleShowsIncidentsSilencesSurviveReloadAndRestartAndTestSendsArrive() throws {
        let receiver = try startReceiver()
        let port = freePort()
        try consoleConfig(port: port).write(toFile: path("config.yaml"), atomically: true, encoding: .utf8)
        append(path("proxy.log"), "")
        var (daemon, stderr, base) = try startConsoleDaemon(receiver: receiver.url, port: port)

        // A silence for the quota class, added before the failures come.
        let added = try logwatch(["silence", "add", "class=quota", "--for", "2h", "--comment", "load test", "--url", base])
        XCTAssertEqual(added.status, 0, added.stderr)
        let silenceID = try XCTUnwrap(added.stdout.split(separator: " ").dropFirst().first.map(String.init), added.stdout)
        XCTAssertTrue(silenceID.hasPrefix("s-"), added.stdout)

        append(path("proxy.log"), Self.authLine + Self.quotaLine)
        let rules = { Set(self.notices(receiver.out).flatMap { ($0["incidents"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String } }) }
        XCTAssertTrue(waitUntil { rules().contains("azure-auth-401") && self.incidents(base).count == 2 }, stderr.text)
        // The quota incident is open and shown as silenced, counted, and never sent.
        let listed = incidents(base)
        let quota = try XCTUnwrap(listed.first { $0["rule"] as? String == "openai-rate-limit-429" }, "\(listed)")
        XCTAssertEqual(quota["silence"] as? String, silenceID)
        XCTAssertEqual(quota["host"] as? String, "console-host")
        XCTAssertEqual(quota["class"] as? String, "quota")
        XCTAssertNotNil(quota["evidence"] as? [String])
        let azure = try XCTUnwrap(listed.first { $0["rule"] as? String == "azure-auth-401" })
        XCTAssertNil(azure["silence"] as? String)
        XCTAssertTrue(waitUntil(30) { self.get(base + "/metrics").body.contains("logwatch_notices_silenced_total 1") },
                      get(base + "/metrics").body)
        XCTAssertFalse(rules().contains("openai-rate-limit-429"), "a silenced incident was sent")
        XCTAssertFalse(get(base + "/api/v1/incidents").body.contains("0123456789abcdef0123456789abcdef"), "the key leaked")

        // status prints the same rows.
        let status = try logwatch(["status", "--url", base])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("azure-auth-401") && status.stdout.contains("openai-rate-limit-429"), status.stdout)
        XCTAssertTrue(status.stdout.contains("[silenced by \(silenceID)]"), status.stdout)
        XCTAssertTrue(status.stdout.contains("2 open"), status.stdout)
        // The page lists them too.
        let page = get(base + "/incidents")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("data-rule=\"azure-auth-401\""), page.body)

        // Reload: the silence stays.
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(waitUntil { self.get(base + "/metrics").body.contains(#"logwatch_config_reloads_total{result="success"} 1"#) })
        XCTAssertTrue(try logwatch(["silence", "list", "--url", base]).stdout.contains("active   \(silenceID)"))

        // Restart: the silence stays, and can be expired.
        daemon.terminate()
        daemon.waitUntilExit()
        (daemon, stderr, base) = try startConsoleDaemon(receiver: receiver.url, port: port)
        let afterRestart = try logwatch(["silence", "list", "--url", base])
        XCTAssertTrue(afterRestart.stdout.contains("active   \(silenceID)"), afterRestart.stdout + afterRestart.stderr)
        let expired = try logwatch(["silence", "expire", silenceID, "--url", base])
        XCTAssertEqual(expired.status, 0, expired.stderr)
        XCTAssertTrue(try logwatch(["silence", "list", "--url", base]).stdout.contains("expired  \(silenceID)"))
        let unknown = try logwatch(["silence", "expire", "s-nothere", "--url", base])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("404"), unknown.stderr)

        // A test send through the real sink, with its HTTP result.
        let test = try logwatch(["notify", "test", "--sink", "hook", "--url", base])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("delivered  HTTP 200"), test.stdout)
        XCTAssertTrue(received(receiver.out).contains { ($0["body"] as? String)?.contains("TEST NOTICE") == true })
        let noSink = try logwatch(["notify", "test", "--sink", "nope", "--url", base])
        XCTAssertEqual(noSink.status, 1)
        // Bad input: one line, exit 2 for usage, 1 for an unreachable daemon.
        XCTAssertEqual(try logwatch(["silence", "add", "class=nope", "--for", "2h", "--url", base]).status, 2)
        let down = try logwatch(["status", "--url", "http://127.0.0.1:\(freePort())"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stderr.contains("cannot reach the daemon"), down.stderr)
        daemon.terminate()
        daemon.waitUntilExit()
    }
}
