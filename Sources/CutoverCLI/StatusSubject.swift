import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `kubectl cutover status` follows: a Rollout, or a ReleaseGroup with its members. One value
/// is everything seen at one moment; the command prints its line when it changed and ends at its
/// outcome.
protocol StatusSubject: Sendable {
    /// How messages name it: `rollout web`, `releasegroup shop`.
    var subjectName: String { get }
    /// The command that approves it at the gate: `kubectl cutover promote web`.
    var promoteCommand: String { get }
    /// The one line per change.
    var statusLine: String { get }
    /// Where the release ended, or `nil` while it is in flight.
    var outcome: ReleaseOutcome? { get }
    /// The "is the controller running?" warning, when it applies at `now`.
    func lagWarning(now: Date, threshold: Double) -> String?
}

extension Rollout: StatusSubject {
    var subjectName: String { kindAndName }
    var promoteCommand: String { "kubectl cutover promote \(metadata.name ?? "-")" }
    var statusLine: String { StatusLine.line(for: self) }
    var outcome: ReleaseOutcome? { ReleaseOutcome.of(self) }
    func lagWarning(now: Date, threshold: Double) -> String? { ControllerLag.warning(for: self, now: now, threshold: threshold) }
}

extension ObservedGroup: StatusSubject {
    var subjectName: String { group.kindAndName }
    var promoteCommand: String { "kubectl cutover promote group \(name)" }
    var statusLine: String { GroupStatusLine.line(for: self) }
    var outcome: ReleaseOutcome? { ReleaseOutcome.of(self) }

    /// The group's warning, else the first member's: one controller acts on both.
    func lagWarning(now: Date, threshold: Double) -> String? {
        ControllerLag.warning(for: group, now: now, threshold: threshold)
            ?? members.lazy.compactMap { ControllerLag.warning(for: $0, now: now, threshold: threshold) }.first
    }
}
