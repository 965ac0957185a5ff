import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The fields of a stored Deployment the simulated controller acts on, with the API defaults
/// filled in (replicas 1, progressDeadlineSeconds 600, RollingUpdate with 25% maxUnavailable).
struct DeploymentSpecView: Sendable {
    var generation: Int64
    var replicas: Int
    var minReadySeconds: TimeInterval
    /// `nil` when the deadline is disabled (`progressDeadlineSeconds` of Int32.max).
    var progressDeadline: TimeInterval?
    var recreate: Bool
    /// Resolved against ``replicas`` as the real controller's `MaxUnavailable` does.
    var maxUnavailable: Int
    /// The pod template, verbatim.
    var template: JSONValue
    var templateHash: String

    /// `knownTemplateHash` skips hashing when the caller already knows the template's hash.
    init(_ deployment: JSONValue, knownTemplateHash: String? = nil) {
        let spec = deployment["spec"] ?? [:]
        generation = deployment[path: ["metadata", "generation"]]?.intValue ?? 1
        replicas = max(0, Int(spec["replicas"]?.intValue ?? 1))
        minReadySeconds = TimeInterval(spec["minReadySeconds"]?.intValue ?? 0)
        let deadline = spec["progressDeadlineSeconds"]?.intValue ?? 600
        progressDeadline = deadline >= Int64(Int32.max) ? nil : TimeInterval(deadline)
        let strategy = spec["strategy"]
        recreate = strategy?["type"]?.stringValue == "Recreate"
        template = spec["template"] ?? [:]
        templateHash = knownTemplateHash ?? TemplateHash.of(template: template)
        if recreate || replicas == 0 {
            maxUnavailable = 0
        } else {
            let rolling = strategy?["rollingUpdate"]
            let surge = DeploymentSpecView.scaled(rolling?["maxSurge"], of: replicas, roundUp: true)
            var unavailable = DeploymentSpecView.scaled(rolling?["maxUnavailable"], of: replicas, roundUp: false)
            if surge == 0 && unavailable == 0 { unavailable = 1 }
            maxUnavailable = min(unavailable, replicas)
        }
    }

    /// An int-or-percent value (`1`, `"25%"`) against `total`; missing means 25%.
    static func scaled(_ value: JSONValue?, of total: Int, roundUp: Bool) -> Int {
        if let whole = value?.intValue { return Int(whole) }
        var text = value?.stringValue ?? "25%"
        guard text.hasSuffix("%") else { return Int(text) ?? 0 }
        text.removeLast()
        let exact = Double(total) * (Double(text) ?? 25) / 100
        return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
    }
}
