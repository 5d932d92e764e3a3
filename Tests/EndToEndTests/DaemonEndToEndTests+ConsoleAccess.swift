import Foundation
import TestSupport
import XCTest

/// Who may write to the console, tested from a real non-loopback address: the test makes a
/// network namespace joined to this one by a veth pair, binds the daemon to the host end, and
/// calls it with curl from inside the namespace. Needs root and iproute2 (`make deps`).
extension DaemonEndToEndTests {
    /// Runs a command; status and standard output.
    @discardableResult
    func shell(_ arguments: [String]) -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        guard (try? process.run()) != nil else { return (127, "") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func testWritesFromOffLoopbackNeedTheBearerTokenAndRefusalsAreCounted() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else {
            throw XCTSkip("needs root and iproute2 to make a network namespace")
        }
        // Names unique to this run; addresses from a /30 in 10.231.0.0/16 picked by the pid.
        let tag = String(getpid() % 100_000)
        let namespace = "lwns\(tag)", hostEnd = "lwh\(tag)", nsEnd = "lwn\(tag)"
        let subnet = Int(getpid()) % 250 + 1
        let hostAddress = "10.231.\(subnet).1", nsAddress = "10.231.\(subnet).2"
        defer {
            shell(["ip", "netns", "del", namespace])
            shell(["ip", "link", "del", hostEnd])
        }
        for command in [["ip", "netns", "add", namespace],
                        ["ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd],
                        ["ip", "link", "set", nsEnd, "netns", namespace],
                        ["ip", "addr", "add", "\(hostAddress)/30", "dev", hostEnd],
                        ["ip", "link", "set", hostEnd, "up"],
                        ["ip", "netns", "exec", namespace, "ip", "addr", "add", "\(nsAddress)/30", "dev", nsEnd],
                        ["ip", "netns", "exec", namespace, "ip", "link", "set", nsEnd, "up"],
                        ["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"]] {
            let result = shell(command)
            guard result.status == 0 else { throw XCTSkip("cannot make a network namespace here (\(command.joined(separator: " ")): \(result.out))") }
        }

        let receiver = try startReceiver()
        let token = "t0k3n-\(UUID().uuidString)"
        try token.write(toFile: path("api-token"), atomically: true, encoding: .utf8)
        let port = freePort()
        try consoleConfig(port: port, listen: hostAddress, tokenFile: path("api-token"))
            .write(toFile: path("config.yaml"), atomically: true, encoding: .utf8)
        append(path("proxy.log"), "")
        let (daemon, stderr, _) = try startLogwatch(["run", "--config", path("config.yaml")], hook: receiver.url)
        let base = "http://\(hostAddress):\(port)"
        XCTAssertTrue(waitUntil(60) { get(base + "/readyz").status == 200 }, stderr.text)

        /// curl from inside the namespace: the daemon sees nsAddress as the peer.
        func fromNamespace(_ method: String, _ path: String, body: String? = nil, token: String? = nil) -> (status: Int, body: String) {
            var arguments = ["ip", "netns", "exec", namespace, "curl", "-s", "-m", "10", "-w", "\n%{http_code}", "-X", method]
            if let body { arguments += ["-H", "Content-Type: application/json", "--data", body] }
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            let text = shell(arguments + [base + path]).out
            guard let cut = text.lastIndex(of: "\n") else { return (0, text) }
            return (Int(text[text.index(after: cut)...]) ?? 0, String(text[..<cut]))
        }
        let silence = #"{"matcher": "class=auth", "duration": "1h", "comment": "from the namespace"}"#
        // Reads are open; they show nothing secret.
        let read = fromNamespace("GET", "/api/v1/incidents")
        XCTAssertEqual(read.status, 200, read.body)
        XCTAssertFalse(read.body.contains(token))
        // Writes: no token, wrong token, then the right one.
        XCTAssertEqual(fromNamespace("POST", "/api/v1/silences", body: silence).status, 401)
        XCTAssertEqual(fromNamespace("POST", "/api/v1/silences", body: silence, token: "wrong").status, 403)
        XCTAssertEqual(fromNamespace("POST", "/api/v1/notify/test", body: #"{"sink": "hook"}"#).status, 401)
        let accepted = fromNamespace("POST", "/api/v1/silences", body: silence, token: token)
        XCTAssertEqual(accepted.status, 201, accepted.body)
        XCTAssertTrue(accepted.body.contains("class=auth"), accepted.body)
        // The CLI the same way, with --token-file.
        let cli = shell(["ip", "netns", "exec", namespace, EndToEndTests.binary.path, "silence", "list", "--url", base])
        XCTAssertEqual(cli.status, 0, cli.out)
        XCTAssertTrue(cli.out.contains("class=auth"), cli.out)
        let refusedCLI = shell(["ip", "netns", "exec", namespace, EndToEndTests.binary.path,
                                "silence", "add", "class=quota", "--for", "1h", "--url", base])
        XCTAssertEqual(refusedCLI.status, 1, refusedCLI.out)
        XCTAssertTrue(refusedCLI.out.contains("401"), refusedCLI.out)
        let allowedCLI = shell(["ip", "netns", "exec", namespace, EndToEndTests.binary.path,
                                "silence", "add", "class=quota", "--for", "1h", "--url", base, "--token-file", path("api-token")])
        XCTAssertEqual(allowedCLI.status, 0, allowedCLI.out)

        let metrics = get(base + "/metrics").body
        XCTAssertTrue(metrics.contains(#"logwatch_http_writes_refused_total{reason="missing_token"} 3"#), metrics)
        XCTAssertTrue(metrics.contains(#"logwatch_http_writes_refused_total{reason="wrong_token"} 1"#), metrics)
        XCTAssertFalse(metrics.contains(token), "the token leaked into metrics")
        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertFalse(stderr.text.contains(token), "the token leaked into the log")
    }
}
