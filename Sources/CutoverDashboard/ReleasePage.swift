import Cutover
import CutoverCLI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The dashboard's page of one Rollout: what `kubectl cutover get` shows (``ReleaseView``), the
/// canary steps, each metric's measurements of the release for a chart, the release record and
/// the deployment reports of past releases.
public struct ReleasePage: Codable, Sendable, Hashable {
    /// A canary step of the spec.
    public struct Step: Codable, Sendable, Hashable {
        public var weight: Int32
        public var pauseSeconds: Int64
    }

    /// One metric's limits and every measurement of the release the dashboard saw.
    public struct Chart: Codable, Sendable, Hashable {
        public var name: String
        /// `max 0.05`, `≤ blue +25%`, as `kubectl cutover get` shows it.
        public var threshold: String
        public var max: Double?
        public var min: Double?
        /// Relative limits against blue's value (`baseline`) of each measurement.
        public var maxIncrease: Double?
        public var maxDecrease: Double?
        public var breaches: Int32
        public var failureLimit: Int32
        /// Oldest first; a breach is a point with verdict `Breach`.
        public var points: [MeasurementRecord]
    }

    /// A past (or the current) release and its deployment report.
    public struct Release: Codable, Sendable, Hashable {
        public var record: ReleaseRecord
        /// `kubectl cutover report --revision <revision>`, as Markdown.
        public var report: String
    }

    public var view: ReleaseView
    /// Its release group (`cutover.dev/group`), if any.
    public var group: String?
    public var steps: [Step]
    public var charts: [Chart]
    /// `status.history`, newest first; the first is the release in flight when it has no outcome.
    public var releases: [Release]
    /// Release events not yet delivered to their notification targets.
    public var pendingNotifications: [PendingNotification]
    /// The Rollout's Kubernetes Events, newest first (a failed notification is a Warning).
    public var events: [EventRow]

    /// One Kubernetes Event about the Rollout, as `kubectl describe` lists it.
    public struct EventRow: Codable, Sendable, Hashable {
        public var type: String?
        public var reason: String?
        public var message: String?
        public var count: Int32?
        public var last: Timestamp?
    }

    /// The most Events a page shows.
    static let eventLimit = 30

    public init(
        rollout: Rollout, deployments: [Deployment], services: [String: Service], events: [Event] = [], measurements: MeasurementLog, now: Date
    ) {
        view = ReleaseView(rollout: rollout, deployments: deployments, services: services, now: now)
        group = rollout.metadata.labels?[CutoverLabels.group]
        let spec = rollout.spec.resolved()
        steps = spec.steps.map { Step(weight: $0.weight, pauseSeconds: $0.pauseSeconds) }
        let status = rollout.status
        let revision = status?.greenRevision ?? status?.rolledBackRevision
        let key = rollout.metadata.key
        charts = zip(spec.metrics, view.analysis).map { metric, shown in
            let seen = revision.map { measurements.points(rollout: key, revision: $0, metric: metric.name) } ?? []
            // The status' own points come first after a restart of the dashboard, until it saw more.
            let points = seen.count >= shown.measurements.count ? seen : shown.measurements
            return Chart(
                name: metric.name, threshold: shown.threshold, max: metric.max, min: metric.min, maxIncrease: metric.maxIncrease,
                maxDecrease: metric.maxDecrease, breaches: shown.breaches, failureLimit: shown.failureLimit, points: points)
        }
        let history = status?.history ?? []
        releases = history.reversed().map { record in
            Release(record: record, report: ReleaseReport(rollout: rollout, record: record).markdown().joined(separator: "\n"))
        }
        pendingNotifications = status?.notifications?.pending ?? []
        self.events = events.map { event in
            EventRow(type: event.type, reason: event.reason, message: event.message, count: event.count, last: event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp)
        }.sorted { ($0.last?.date ?? .distantPast) > ($1.last?.date ?? .distantPast) }.prefix(Self.eventLimit).map { $0 }
    }
}
