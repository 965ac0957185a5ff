import Cutover
import KubeModels

/// History entries from the release record (`status.history`): one per release, newest first.
extension RevisionHistory {
    static func recordEntries(_ records: [ReleaseRecord], status: RolloutStatus) -> [Entry] {
        var seen: Set<String> = []
        return records.reversed().map { record in
            // Only the newest release of a revision can be the one serving now.
            let newest = seen.insert(record.revision).inserted
            return Entry(
                revision: record.revision, images: record.images, startedBy: record.startedBy, started: record.startedAt,
                ended: record.endedAt, verified: record.promotion.map(verified), outcome: outcome(of: record, status: status, newest: newest),
                source: "record")
        }
    }

    /// `staging/payment in staging-cluster`, or `unverified: INC-7 (by kubectl-annotate)`.
    static func verified(_ promotion: PromotionStatus) -> String {
        if let override = promotion.override {
            return "unverified: \(override.value)" + (override.by.map { " (by \($0))" } ?? "")
        }
        return (promotion.sources ?? []).filter(\.verified).map(\.source).joined(separator: ", ")
    }

    /// `in flight (Canary)`, `promoted, serving`, `promoted (cutover.dev/promote)`,
    /// `reverted: AnalysisBreach: ... (metric m, value v, limit l)`, `superseded: ...`.
    static func outcome(of record: ReleaseRecord, status: RolloutStatus, newest: Bool = true) -> String {
        switch record.outcome {
        case nil:
            return "in flight (\(status.phase?.rawValue ?? "-"))"
        case .promoted?:
            var text = "promoted"
            switch record.reason {
            case "Promoted"?: text += " (cutover.dev/promote)"
            case "PromotedFull"?: text += " (cutover.dev/promote-full)"
            default: break
            }
            if newest, record.revision == status.activeRevision { text += status.greenRevision == nil ? ", serving" : ", serving as blue" }
            return text
        case .rolledBack?:
            let breach = record.timeline.last { $0.type == .rolledBack }
            let abort = AbortStatus(
                reason: record.reason ?? "RolledBack", metric: breach?.metric, value: breach?.value, limit: breach?.limit,
                message: record.message)
            return "reverted: " + StatusLine.abortText(abort, namingRevision: false)
        case .superseded?:
            return "superseded: " + (record.message ?? record.reason ?? "a newer template")
        }
    }
}
