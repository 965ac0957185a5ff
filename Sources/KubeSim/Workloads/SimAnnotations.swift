#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The annotations and labels that steer the simulated cluster, in one place so the server, the
/// docs and the tests spell them the same way.
public enum SimAnnotations {
    /// Pod template annotation: how long a new pod takes to become Ready (`3s`, `500ms`, `1m`).
    public static let readyAfter = "sim.cutover.dev/ready-after"
    /// Pod template annotation: `"true"` keeps the pods Running but never Ready.
    public static let neverReady = "sim.cutover.dev/never-ready"
    /// Pod template annotation: the fraction of requests a pod answers with 500 (`"0.2"`).
    public static let errorRate = "sim.cutover.dev/error-rate"
    /// Pod template annotation: the mean latency of a pod's answers in milliseconds (`"120"`).
    public static let latencyMilliseconds = "sim.cutover.dev/latency-ms"
    /// Service annotation: simulated requests per second spread over the Service's ready pods.
    public static let requestsPerSecond = "sim.cutover.dev/rps"
    /// Pod annotation written by the simulator: the exact creation instant (MicroTime), because
    /// `creationTimestamp` has whole seconds and readiness delays may be shorter than that.
    public static let createdAt = "sim.cutover.dev/created-at"
    /// Pod label: the Cutover revision, reported as the `revision` metric label.
    public static let revisionLabel = "cutover.dev/revision"
    /// Pod label the Deployment controller adds: a hash of the pod template.
    public static let podTemplateHashLabel = "pod-template-hash"

    /// Job pod template annotation: how long each pod runs before it exits (`3s`, default 1s).
    public static let runFor = "sim.cutover.dev/run-for"
    /// Job pod template annotation: the exit code of each attempt, `"1"` or `"1,1,0"` (the
    /// last repeats); 0 succeeds (default).
    public static let exitCode = "sim.cutover.dev/exit-code"
    /// Job pod template annotation: what the container prints, served as the pod's log.
    public static let log = "sim.cutover.dev/log"
    /// Pod annotation written by the Job simulator: the attempt, 0 first, that picks the exit code.
    public static let attempt = "sim.cutover.dev/attempt"

    /// How long pods take to become Ready when the template does not say.
    public static let defaultReadyAfter: TimeInterval = 1
    /// How long a Job's pod runs when the template does not say.
    public static let defaultRunFor: TimeInterval = 1

    /// Parses a Go-style duration: a sequence of decimal numbers with units `ms`, `s`, `m`, `h`
    /// (`1m30s`, `1.5s`, `500ms`); a bare number means seconds. `nil` for anything else.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        var total: TimeInterval = 0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
        }
        return total
    }
}
