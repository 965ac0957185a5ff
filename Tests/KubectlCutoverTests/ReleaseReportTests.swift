import Cutover
import CutoverCLI
import Foundation
import KubeModels
import Testing

/// The report of records no live run holds still for: a release in flight, a full timeline.
@Suite("release report without a server")
struct ReleaseReportTests {
    static func rollout(_ history: [ReleaseRecord]) -> Rollout {
        var rollout = Fixtures.rollout(phase: .canary)
        rollout.status?.history = history
        return rollout
    }

    @Test func aReleaseInFlightHasNoOutcomeEndOrDuration() throws {
        var record = ReleaseRecord(revision: "green22222", blueRevision: "blue111111", images: ["app=example/web:2"], startedAt: ReportFixtures.at(0))
        record.timeline = [ReleaseEvent(at: ReportFixtures.at(0), type: .started, message: "releasing green22222 (blue blue111111)")]
        let report = try ReleaseReport(rollout: Self.rollout([ReportFixtures.firstRelease, record]))
        #expect(report.record == record && report.durationSeconds == nil)
        let text = report.markdown().joined(separator: "\n")
        #expect(text.contains("| Outcome | in flight |"), "\(text)")
        #expect(text.contains("| Ended | - |") && text.contains("| Duration | - (in flight) |"), "\(text)")
        #expect(text.contains("| Started by | unknown (no field manager owns spec.template) |"), "\(text)")
        #expect(text.contains("- **Outcome:** none yet: the release is in flight."), "\(text)")
        #expect(text.contains("No analysis: no metric was measured in this release."), "\(text)")

        // Absent fields stay absent in JSON, as in the status.
        let json = try ReportFormat.json.render(report).joined()
        #expect(!json.contains("endedAt") && !json.contains("outcome") && !json.contains("startedBy"), "\(json)")
        #expect(json.contains(#""hooks" : ["#) && json.contains(#""rollout" : "web""#), "\(json)")
    }

    @Test func aFullTimelineSaysOlderEventsWereDropped() throws {
        var record = ReportFixtures.breachedRelease
        record.timeline = (0..<ReleaseRecord.timelineLimit).map { index in
            ReleaseEvent(at: ReportFixtures.at(3600 + index), type: .stepReached, message: "step \(index)")
        }
        let text = try ReleaseReport(rollout: Self.rollout([record])).markdown().joined(separator: "\n")
        #expect(text.contains("older ones after `Started` were dropped"), "\(text)")
        #expect(text.contains("| 2026-11-22T04:00:15Z | +15s | StepReached | step 15 |"), "\(text)")
    }

    @Test func tableCellsStayOnOneLineAndEscapePipes() throws {
        var record = ReportFixtures.hookFailedRelease
        record.message = "line one\nline | two"
        let text = try ReleaseReport(rollout: Self.rollout([record])).markdown()
        #expect(text.contains("- **Outcome:** RolledBack — PreCutoverHookFailed: line one line | two"), "\(text)")
        #expect(!text.contains { $0.hasPrefix("line") })
    }
}
