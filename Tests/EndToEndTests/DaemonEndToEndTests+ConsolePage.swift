import Foundation
import TestSupport
import XCTest

/// The `/incidents` page in a real browser: Debian's Chromium, headless (`make deps` installs
/// it). The rows it renders are checked against `/api/v1/incidents`, and a screenshot is kept
/// in out/test/ (or $LOGWATCH_TEST_OUT) for a person to look at.
extension DaemonEndToEndTests {
    static func chromiumBinary() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func chromium(_ binary: String, _ arguments: [String]) -> (status: Int32, out: String) {
        // A profile of its own, no sandbox (tests run as root), nothing fetched but our page.
        shell([binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--user-data-dir=\(path("chromium-profile"))"]
              + arguments)
    }

    func testIncidentsPageInHeadlessChromiumShowsTheAPIRowsAndWorksOffline() throws {
        guard let binary = Self.chromiumBinary() else {
            throw XCTSkip("chromium is not installed; `make deps` installs it (Debian package chromium)")
        }
        let receiver = try startReceiver()
        let port = freePort()
        try consoleConfig(port: port).write(toFile: path("config.yaml"), atomically: true, encoding: .utf8)
        append(path("proxy.log"), "")
        let (daemon, stderr, base) = try startConsoleDaemon(receiver: receiver.url, port: port)
        append(path("proxy.log"), Self.authLine + Self.authLine + Self.quotaLine)
        XCTAssertTrue(waitUntil { self.incidents(base).count == 2 && self.incidents(base).reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 3 },
                      stderr.text)
        let api = incidents(base)

        let dom = chromium(binary, ["--dump-dom", base + "/incidents"])
        XCTAssertEqual(dom.status, 0, dom.out)
        // Every API row is a table row with the same id and count, and nothing else is.
        var rows: [String: Int] = [:]
        for part in dom.out.components(separatedBy: "<tr class=\"incident").dropFirst() {
            func attribute(_ name: String) -> String? {
                guard let start = part.range(of: "\(name)=\"") else { return nil }
                return String(part[start.upperBound...].prefix { $0 != "\"" })
            }
            if let id = attribute("data-id"), let count = attribute("data-count").flatMap(Int.init) { rows[id] = count }
        }
        var expected: [String: Int] = [:]
        for row in api { expected[row["id"] as? String ?? "?"] = row["count"] as? Int }
        XCTAssertEqual(rows, expected, dom.out)
        XCTAssertTrue(dom.out.contains("2 open"), "the summary line")
        XCTAssertTrue(dom.out.contains("/entries/auth/azure-auth-401.html"), "the entry is one click away")

        let output = ProcessInfo.processInfo.environment["LOGWATCH_TEST_OUT"]
            ?? EndToEndTests.repository.appendingPathComponent("out/test").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let screenshot = output + "/console-incidents.png"
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = chromium(binary, ["--screenshot=\(screenshot)", "--window-size=1280,800", base + "/incidents"])
        XCTAssertEqual(shot.status, 0, shot.out)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertGreaterThan(png.count, 10_000, "a page with content, not a blank image")
        print("console screenshot: \(screenshot)")
        daemon.terminate()
        daemon.waitUntilExit()
    }
}
