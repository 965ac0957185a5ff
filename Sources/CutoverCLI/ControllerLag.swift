import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An object cutover-controller writes a status for: a Rollout or a ReleaseGroup.
public protocol ControllerObserved: KubeObject {
    /// Whether the controller has written a status with a phase.
    var hasPhase: Bool { get }
    /// `status.observedGeneration`.
    var observedGeneration: Int64? { get }
}

extension Rollout: ControllerObserved {
    public var hasPhase: Bool { status?.phase != nil }
    public var observedGeneration: Int64? { status?.observedGeneration }
}

extension ReleaseGroup: ControllerObserved {
    public var hasPhase: Bool { status?.phase != nil }
    public var observedGeneration: Int64? { status?.observedGeneration }
}

/// Whether the controller has acted on an object's latest spec, and for how long it has not: the
/// basis of the "is the controller running?" warning.
public enum ControllerLag {
    /// Whether `status.observedGeneration` has caught up with `metadata.generation`.
    public static func isCurrent(_ object: some ControllerObserved) -> Bool {
        guard object.hasPhase else { return false }
        return (object.observedGeneration ?? 0) >= (object.metadata.generation ?? 0)
    }

    /// When the spec the controller has not acted on was written: the newest spec write in
    /// `managedFields` (not a status write), else the creation time. `nil` when the controller is current.
    public static func unobservedSince(_ object: some ControllerObserved) -> Date? {
        guard !isCurrent(object) else { return nil }
        let specWrites = (object.metadata.managedFields ?? []).filter { ($0.subresource ?? "").isEmpty }.compactMap { $0.time?.date }
        return specWrites.max() ?? object.metadata.creationTimestamp?.date
    }

    /// A warning when no controller has acted on `object` for at least `threshold` seconds at
    /// `now`; `nil` otherwise. Names what is behind and what to check.
    public static func warning(for object: some ControllerObserved, now: Date, threshold: Double) -> String? {
        guard let since = unobservedSince(object) else { return nil }
        let waited = now.timeIntervalSince(since)
        guard waited >= threshold else { return nil }
        let what = object.hasPhase
            ? "status.observedGeneration \(object.observedGeneration ?? 0) < metadata.generation \(object.metadata.generation ?? 0)"
            : "it has no status"
        return "Warning: no controller has acted on \(object.kindAndName) for \(Age.format(seconds: waited)) (\(what)): "
            + "is cutover-controller running? Check its pods and logs (and that it watches namespace \(object.metadata.namespace ?? "-"))"
    }
}

extension KubeObject {
    /// How messages name the object, as kubectl does: `rollout web`, `releasegroup shop`.
    var kindAndName: String { "\(Self.resource.kind.lowercased()) \(metadata.name ?? "-")" }
}
