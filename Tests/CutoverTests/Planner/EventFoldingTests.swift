import Cutover
import Testing

/// One Event per plan: what one decision did, folded into one request, and read back by the plugin.
@Suite struct EventFoldingTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var events: [RolloutEvent]
        var type: String?
        var reason: String?
        var message: String?
        var testDescription: String { events.map(\.reason).joined(separator: "+") }
    }

    static let ready = RolloutEvent(reason: "GreenReady", message: "web-2 is ready")
    static let cutOver = RolloutEvent(reason: "CutOver", message: "active Service now selects 2; holding blue for 0s")
    static let promoted = RolloutEvent(reason: "Promoted", message: "2 is the active revision")
    static let deadline = RolloutEvent(type: "Warning", reason: "ProgressDeadlineExceeded", message: "web-2 was not ready within 600s")
    static let started = RolloutEvent(reason: "ReleaseStarted", message: "releasing 3; 1 serves meanwhile")

    static let rows: [Row] = [
        Row(events: [], type: nil, reason: nil, message: nil),
        Row(events: [ready], type: "Normal", reason: "GreenReady", message: "web-2 is ready"),
        Row(
            events: [ready, cutOver, promoted], type: "Normal", reason: "Promoted",
            message: "GreenReady: web-2 is ready → CutOver: active Service now selects 2; holding blue for 0s → Promoted: 2 is the active revision"),
        // A Warning gives the folded Event its type and reason, wherever it is.
        Row(
            events: [deadline, started], type: "Warning", reason: "ProgressDeadlineExceeded",
            message: "ProgressDeadlineExceeded: web-2 was not ready within 600s → ReleaseStarted: releasing 3; 1 serves meanwhile"),
    ]

    @Test(arguments: rows) func foldsWhatOnePlanDecided(row: Row) throws {
        let folded = RolloutEvent.folding(row.events)
        #expect(folded?.type == row.type)
        #expect(folded?.reason == row.reason)
        #expect(folded?.message == row.message)
        guard let folded else { return }
        let steps = RolloutEvent.steps(reason: folded.reason, message: folded.message)
        #expect(steps.map(\.reason) == row.events.map(\.reason))
        #expect(steps.map(\.message) == row.events.map(\.message))
    }

    /// A message that merely contains the separator is one step, not a folded Event.
    @Test(arguments: [
        "x → y", "Bad reason: x → Promoted: y", "GreenReady: x → lowercase: y", " → ",
    ]) func anUnfoldedMessageIsOneStep(message: String) {
        let steps = RolloutEvent.steps(reason: "Custom", message: message)
        #expect(steps.count == 1 && steps[0].reason == "Custom" && steps[0].message == message)
    }
}
