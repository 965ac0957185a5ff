import Cutover
import Foundation
import KubeModels

/// An object one of the monitor's watches delivered.
enum WatchedObject: Sendable {
    case rollout(Rollout)
    case deployment(Deployment)
    case service(Service)
    case pod(Pod)
    case releaseGroup(ReleaseGroup)

    var metadata: ObjectMeta {
        switch self {
        case .rollout(let object): return object.metadata
        case .releaseGroup(let object): return object.metadata
        case .deployment(let object): return object.metadata
        case .service(let object): return object.metadata
        case .pod(let object): return object.metadata
        }
    }
}

/// One change seen on a watch: the object after it (or as deleted), the resourceVersion the
/// server stamped (KubeSim has one global counter, so changes of different kinds can be put back
/// in the order they happened) and the local time it arrived.
struct ObservedChange: Sendable {
    var object: WatchedObject
    var deleted: Bool
    var resourceVersion: UInt64
    var arrivedAt: Date
}

/// Where the active Service's selector pointed at one moment.
package enum SelectorState: Sendable, Hashable, CustomStringConvertible {
    /// The `cutover.dev/revision` key selects this revision.
    case revision(String)
    /// No revision key: every revision's pods match (a canary split, or before the first deploy).
    case wide

    package var description: String {
        switch self {
        case .revision(let revision): return revision
        case .wide: return "wide"
        }
    }
}

/// The release-relevant part of a Rollout's status at one moment.
package struct RolloutState: Sendable, Hashable, CustomStringConvertible {
    package var phase: RolloutPhase?
    package var stepIndex: Int32?
    var weight: Int32?
    var green: String?
    var active: String?
    var traffic: TrafficRouting?

    package init(_ status: RolloutStatus?) {
        phase = status?.phase
        stepIndex = status?.currentStepIndex
        weight = status?.weight
        green = status?.greenRevision
        active = status?.activeRevision
        traffic = status?.traffic
    }

    package var description: String {
        "\(phase?.rawValue ?? "-") step \(stepIndex.map(String.init) ?? "-") weight \(weight.map(String.init) ?? "-")"
            + " active \(active ?? "-") green \(green ?? "-")"
    }
}

/// Something that broke an invariant of DESIGN.md §2: what, and when it was first seen.
package struct Violation: Sendable, CustomStringConvertible {
    package var invariant: String
    package var detail: String
    package var resourceVersion: UInt64
    package var at: Date

    package init(invariant: String, detail: String, resourceVersion: UInt64, at: Date) {
        self.invariant = invariant
        self.detail = detail
        self.resourceVersion = resourceVersion
        self.at = at
    }

    package var description: String { "[\(invariant)] at resourceVersion \(resourceVersion): \(detail)" }
}
