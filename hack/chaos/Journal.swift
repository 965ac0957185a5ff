import ClusterHarness
import Foundation

/// Every step the workload and the fault schedule took, numbered and timed from the start, printed
/// as it happens; a violation is reported with the step before it, so a replay knows where to look.
final class Journal: Sendable {
    struct Step: Sendable {
        var number: Int
        var at: Date
        var text: String
    }

    let start = Date()
    private let steps = LockedValue<[Step]>([])
    private let quiet: Bool

    init(quiet: Bool) { self.quiet = quiet }

    /// Records and prints a numbered step.
    func record(_ text: String) {
        let step = steps.update { steps in
            let step = Step(number: steps.count + 1, at: Date(), text: text)
            steps.append(step)
            return step
        }
        if !quiet { say("\(offset(step.at)) #\(step.number) \(text)") }
    }

    /// Prints something worth knowing that is not a step.
    func note(_ text: String) {
        if !quiet { say("\(offset(Date()))     \(text)") }
    }

    /// The last step taken at or before `date`.
    func step(before date: Date) -> Step? { steps.get.last { $0.at <= date } }

    /// `t+12.3s`, the time since the run began.
    func offset(_ date: Date) -> String { String(format: "t+%.1fs", date.timeIntervalSince(start)) }
}

/// Prints a line at once (unbuffered, also into a file or a pipe), so a run can be followed live.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
