import LogwatchCore
import XCTest

final class DeployCorrelatorTests: XCTestCase {
    // 2024-05-01 12:03:11 UTC
    let restart = 1_714_564_991.0

    func testAnIncidentSoonAfterAStopAndStartSaysRestarted() {
        var correlator = DeployCorrelator()
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .stopping, time: restart - 3))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .stopped, time: restart - 2))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .starting, time: restart))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .started, time: restart + 1))
        XCTAssertEqual(correlator.context(at: restart + 40), "began 40 s after litellm.service restarted at 12:03:11 UTC")
        XCTAssertEqual(correlator.context(at: restart + 200), "began 3 min 20 s after litellm.service restarted at 12:03:11 UTC")
    }

    func testOutsideTheWindowOrBeforeTheChangeThereIsNoContext() {
        var correlator = DeployCorrelator(window: 300)
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .started, time: restart))
        XCTAssertNil(correlator.context(at: restart - 5))
        XCTAssertNil(correlator.context(at: restart + 301))
        XCTAssertEqual(correlator.context(at: restart + 5), "began 5 s after litellm.service started at 12:03:11 UTC")
    }

    func testAStopWithoutAStartAndAFailureAreNamed() {
        var correlator = DeployCorrelator()
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .started, time: restart - 3_000))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .stopped, time: restart))
        XCTAssertEqual(correlator.context(at: restart + 2), "began 2 s after litellm.service stopped at 12:03:11 UTC")
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .failed, time: restart + 10))
        XCTAssertEqual(correlator.context(at: restart + 12), "began 2 s after litellm.service failed at 12:03:21 UTC")
    }

    func testAQuickRestartSoonAfterTheFirstStartIsStillARestart() {
        var correlator = DeployCorrelator()
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .starting, time: restart - 10))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .started, time: restart - 9))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .stopped, time: restart - 1))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .starting, time: restart))
        correlator.observe(UnitEvent(unit: "litellm.service", kind: .started, time: restart + 2))
        XCTAssertEqual(correlator.context(at: restart + 5), "began 5 s after litellm.service restarted at 12:03:11 UTC")
    }
}
