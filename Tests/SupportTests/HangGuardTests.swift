import Foundation
import Synchronization
import TestSupport
import XCTest

final class HangGuardTests: XCTestCase {
    /// A step that does not return is reported once, by its label; the step here waits for the
    /// report itself, so nothing depends on how fast the machine is.
    func testAStepThatDoesNotReturnIsReportedOnceByItsLabel() {
        let reports = Mutex<[String]>([])
        let reported = DispatchSemaphore(value: 0)
        let watchdog = HangGuard(limit: 0.2) { message in
            reports.withLock { $0.append(message) }
            reported.signal()
        }
        defer { watchdog.stop() }
        let result = watchdog.step("stuck step 7") { reported.wait(timeout: .now() + 120) }
        XCTAssertEqual(result, .success, "the watchdog never reported the stuck step")
        Thread.sleep(forTimeInterval: 1.5)   // a second report would come within the next look
        XCTAssertEqual(reports.withLock { $0 }, ["hang: stuck step 7 has not returned after 0.2 s"])
    }

    func testStepsThatReturnAreNeverReported() throws {
        let reports = Mutex(0)
        let watchdog = HangGuard(limit: 60) { _ in reports.withLock { $0 += 1 } }
        defer { watchdog.stop() }
        var sum = 0
        for i in 0..<1_000 { sum += watchdog.step("step \(i)") { i } }
        XCTAssertEqual(sum, 499_500)
        XCTAssertThrowsError(try watchdog.step("throwing step") { throw CocoaError(.fileNoSuchFile) })
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(reports.withLock { $0 }, 0)
    }
}
