import Cutover
import KubeModels

/// The one line `kubectl cutover status group` prints per change, for example
/// `Canary (canary step 1/2) — waiting for 1 member to pass step 1; 2/3 ready`. Like
/// ``StatusLine`` it names no clock time that changes by itself, so a line is printed only when the
/// group or a member changed.
public enum GroupStatusLine {
    /// The line for the group and its members as `snapshot` saw them.
    public static func line(for snapshot: ObservedGroup) -> String {
        let group = snapshot.group
        guard let status = group.status, let phase = status.phase else {
            return "Pending — no controller has written a status yet"
        }
        guard ControllerLag.isCurrent(group) else {
            return "\(phase.rawValue) — the controller has not acted on generation \(group.metadata.generation ?? 0) yet (observed \(status.observedGeneration ?? 0))"
        }
        var line: String
        switch phase {
        case .awaitingApproval:
            return "AwaitingApproval — \(status.message ?? "every member waits at Cutover"): promote with `kubectl cutover promote group \(snapshot.name)`"
        case .invalidSpec:
            return "InvalidSpec — \(status.message ?? "the spec is invalid")"
        case .rolledBack:
            line = "RolledBack — " + (status.abort.map { StatusLine.abortText($0) } ?? status.message ?? "rolled back")
        case .healthy, .progressing, .canary, .cuttingOver, .holdWindow:
            line = phase.rawValue + (status.step.map { $0.isEmpty ? "" : " (\($0))" } ?? "")
            line += " — \(status.message ?? defaultMessage(phase))"
            if let ready = status.ready, !ready.isEmpty { line += "; \(ready) ready" }
        }
        let unsettled = snapshot.unsettledMembers
        if [.healthy, .rolledBack].contains(phase), !unsettled.isEmpty {
            line += "; waiting for members still moving: " + unsettled.map(movement).joined(separator: ", ")
        }
        return line
    }

    static func defaultMessage(_ phase: ReleaseGroupPhase) -> String {
        switch phase {
        case .healthy: return "no release in flight"
        case .progressing: return "greens coming up"
        case .canary: return "canary steps"
        case .cuttingOver: return "switching the active Services"
        case .holdWindow: return "every member serves green; blue held"
        case .awaitingApproval, .rolledBack, .invalidSpec: return phase.rawValue
        }
    }

    /// `payment Progressing`, or `payment not yet acted on` when its status is older than its spec.
    static func movement(_ member: Rollout) -> String {
        let name = member.metadata.name ?? "-"
        guard ControllerLag.isCurrent(member), let phase = member.status?.phase else { return "\(name) not yet acted on" }
        return "\(name) \(phase.rawValue)"
    }
}
