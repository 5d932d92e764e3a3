import Foundation
import TestSupport
import XCTest

/// Issue 18: a fleet of logwatch daemons in front of a real Alertmanager HA cluster.
extension DaemonEndToEndTests {
    /// One Alertmanager replica of the test cluster.
    struct Replica {
        var process: Process
        var web: String
    }

    /// Three Debian Alertmanagers gossiping on loopback, routed by the shipped
    /// systemd/alertmanager-logwatch.yml (timers shortened, receiver pointed at `hook`).
    func startAlertmanagerCluster(binary: String, hook: String, count: Int = 3) throws -> [Replica] {
        var config = try String(contentsOf: EndToEndTests.repository.appendingPathComponent("systemd/alertmanager-logwatch.yml"),
                                encoding: .utf8)
        for (from, to) in [("group_wait: 30s", "group_wait: 5s"), ("group_interval: 5m", "group_interval: 3s"),
                           ("http://127.0.0.1:5001/alerts", hook)] {
            XCTAssertTrue(config.contains(from), "the shipped snippet no longer has \(from)")
            config = config.replacingOccurrences(of: from, with: to)
        }
        try config.write(toFile: path("am.yml"), atomically: true, encoding: .utf8)
        let webPorts = (0..<count).map { _ in freePort() }
        let clusterPorts = (0..<count).map { _ in freePort() }
        var replicas: [Replica] = []
        for index in 0..<count {
            try FileManager.default.createDirectory(atPath: path("am\(index)"), withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config.file=\(path("am.yml"))", "--storage.path=\(path("am\(index)"))",
                                 "--web.listen-address=127.0.0.1:\(webPorts[index])",
                                 "--cluster.listen-address=127.0.0.1:\(clusterPorts[index])",
                                 "--cluster.advertise-address=127.0.0.1:\(clusterPorts[index])",
                                 // A replica waits peer-timeout × its position before it sends,
                                 // to let the earlier one's notification log reach it: short here.
                                 "--cluster.peer-timeout=2s", "--cluster.pushpull-interval=2s",
                                 "--cluster.reconnect-interval=1s", "--cluster.settle-timeout=10s"]
                + clusterPorts.enumerated().filter { $0.offset != index }.map { "--cluster.peer=127.0.0.1:\($0.element)" }
            let log = FileHandle(forWritingAtPath: path("am\(index).log")) ?? {
                _ = FileManager.default.createFile(atPath: path("am\(index).log"), contents: nil)
                return FileHandle(forWritingAtPath: path("am\(index).log"))!
            }()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            started.append(process)
            replicas.append(Replica(process: process, web: "http://127.0.0.1:\(webPorts[index])"))
        }
        // Ready means: every replica answers, sees all peers and has settled its gossip.
        for replica in replicas {
            let formed = waitUntil(90) {
                let body = get(replica.web + "/api/v2/status").body
                guard let status = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                      let cluster = status["cluster"] as? [String: Any] else { return false }
                return cluster["status"] as? String == "ready" && (cluster["peers"] as? [Any])?.count == count
            }
            XCTAssertTrue(formed, "replica \(replica.web) did not join a \(count)-peer cluster: "
                          + ((try? String(contentsOfFile: path("am0.log"), encoding: .utf8)) ?? ""))
        }
        return replicas
    }

    /// A daemon config for one fleet member: its own `host:`, log, state, and every replica.
    func fleetConfig(host: String, replicas: [Replica], resolveAfter: String) -> String {
        """
        host: \(host)
        state_dir: \(path("state-\(host)"))
        http: { listen: "off" }
        sources:
          - { type: file, paths: [\(path("\(host).log"))], from: start }
        policy: { group_wait: 1s, group_interval: 2s, resolve_after: \(resolveAfter) }
        sinks:
          - name: am
            type: alertmanager
            urls: [\(replicas.map(\.web).joined(separator: ", "))]

        """
    }

    /// Alertmanager webhook notifications the receiver got, in arrival order.
    func alertNotifications(_ out: String) -> [[String: Any]] { notices(out) }

    static func groupAlertname(_ notification: [String: Any]) -> String? {
        (notification["groupLabels"] as? [String: String])?["alertname"]
    }

    static func hosts(_ notification: [String: Any], status: String? = nil) -> Set<String> {
        Set((notification["alerts"] as? [[String: Any]] ?? [])
            .filter { status == nil || $0["status"] as? String == status }
            .compactMap { ($0["labels"] as? [String: String])?["host"] })
    }

    /// The issue's cluster test: three hosts see the same failure; the receiver behind three
    /// gossiping Alertmanagers gets one notification listing the three hosts; after a replica is
    /// killed, a second failure again gives exactly one; once every host is quiet, each group
    /// resolves exactly once and never fires again.
    func testThreeHostsThreeAlertmanagersOneNotificationPerFailureAndOneResolve() throws {
        guard let binary = Self.alertmanagerBinary() else {
            throw XCTSkip("prometheus-alertmanager is not installed; `make deps` installs it")
        }
        let receiver = try startReceiver()
        let replicas = try startAlertmanagerCluster(binary: binary, hook: receiver.url)
        let hosts = ["proxy-a", "proxy-b", "proxy-c"]
        var daemons: [(Process, Collected)] = []
        for host in hosts {
            append(path("\(host).log"), "")
            try fleetConfig(host: host, replicas: replicas, resolveAfter: "15s")
                .write(toFile: path("\(host).yaml"), atomically: true, encoding: .utf8)
            let (process, _, stderr) = try startLogwatch(["run", "--config", path("\(host).yaml")])
            daemons.append((process, stderr))
        }
        for (_, stderr) in daemons { XCTAssertTrue(waitUntil(60) { stderr.text.contains("Started") }, stderr.text) }

        // The same failure on every host at once.
        for host in hosts { append(path("\(host).log"), Self.authLine) }
        let firstRule = "azure-auth-401"
        let firing = { (rule: String) in
            self.alertNotifications(receiver.out).filter { Self.groupAlertname($0) == rule && $0["status"] as? String == "firing" }
        }
        XCTAssertTrue(waitUntil(90) { !firing(firstRule).isEmpty }, "no notification: \(daemons.map(\.1.text))")
        // Absence can only be watched for a while: a duplicate from another replica would come
        // within its position × peer-timeout (2 s, 4 s) after the first.
        usleep(7_000_000)
        XCTAssertEqual(firing(firstRule).count, 1, "\(firing(firstRule))")
        XCTAssertEqual(firing(firstRule).first.map { Self.hosts($0) }, Set(hosts), "the notification lists every host")

        // One replica dies; the senders keep posting to the other two on their own lanes.
        kill(replicas[0].process.processIdentifier, SIGKILL)
        replicas[0].process.waitUntilExit()
        let rateLimit = "12:00:01 - LiteLLM Proxy:ERROR: proxy_server.py:1 - litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o. Received Model Group=gpt-4o\n"
        for host in hosts { append(path("\(host).log"), rateLimit) }
        let secondRule = "openai-rate-limit-429"
        XCTAssertTrue(waitUntil(90) { !firing(secondRule).isEmpty }, "no notification with a replica down")
        usleep(7_000_000)
        XCTAssertEqual(firing(secondRule).count, 1, "\(firing(secondRule))")
        XCTAssertEqual(firing(secondRule).first.map { Self.hosts($0) }, Set(hosts))

        // Quiet everywhere: each host resolves its own alert; each group resolves once.
        let resolved = { (rule: String) in
            self.alertNotifications(receiver.out).filter { Self.groupAlertname($0) == rule && $0["status"] as? String == "resolved" }
        }
        XCTAssertTrue(waitUntil(120) { !resolved(firstRule).isEmpty && !resolved(secondRule).isEmpty },
                      "no resolve: \(alertNotifications(receiver.out).map { "\(Self.groupAlertname($0) ?? "?") \($0["status"] ?? "?")" })")
        usleep(7_000_000)
        for rule in [firstRule, secondRule] {
            XCTAssertEqual(resolved(rule).count, 1, "\(rule): \(resolved(rule))")
            // Hosts that recovered before the others appear as resolved in the group's updates
            // (status still firing); Alertmanager drops an alert from the group once it has
            // reported it resolved, so the union over the group's notifications is what counts.
            let group = alertNotifications(receiver.out).filter { Self.groupAlertname($0) == rule }
            XCTAssertEqual(group.reduce(into: Set<String>()) { $0.formUnion(Self.hosts($1, status: "resolved")) }, Set(hosts),
                           "\(rule) resolved on every host")
            XCTAssertEqual(resolved(rule).first.map { Self.hosts($0, status: "firing") }, [], "the resolve has no host still firing")
            // No flapping: the group's only resolve is its last notification, so it never
            // resolved while a host still failed and never fired again after.
            let sequence = group.compactMap { $0["status"] as? String }
            XCTAssertEqual(sequence.last, "resolved", "\(rule): \(sequence)")
            XCTAssertEqual(sequence.filter { $0 == "resolved" }.count, 1, "\(rule): \(sequence)")
            print("fleet: \(rule): notifications \(sequence)")
        }
        for (process, _) in daemons { process.terminate(); process.waitUntilExit() }
    }
}
