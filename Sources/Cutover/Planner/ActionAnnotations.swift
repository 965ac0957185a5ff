/// The edge-triggered action annotations (`cutover.dev/promote`, `promote-full`, `abort`,
/// `retry`) of a Rollout or a ReleaseGroup, against the values already acted on.
extension AcknowledgedActions {
    /// The actions whose annotation holds a value not acted on yet.
    func pending(in annotations: [String: String]) -> PendingActions {
        func isNew(_ key: String, _ acknowledged: String?) -> Bool { annotations[key].map { $0 != acknowledged } ?? false }
        var pending = PendingActions()
        pending.promote = isNew(CutoverLabels.promote, promote)
        pending.promoteFull = isNew(CutoverLabels.promoteFull, promoteFull)
        pending.abort = isNew(CutoverLabels.abort, abort)
        pending.retry = isNew(CutoverLabels.retry, retry)
        pending.promoteUnverified = annotations[CutoverLabels.promoteUnverified].flatMap { $0 != promoteUnverified && !$0.isEmpty ? $0 : nil }
        return pending
    }

    /// These values with every action annotation's current value recorded: whatever a plan did not
    /// act on is consumed, so a stale promote never promotes a later release.
    func acknowledging(_ annotations: [String: String]) -> AcknowledgedActions {
        var acknowledged = self
        acknowledged.promote = annotations[CutoverLabels.promote] ?? promote
        acknowledged.promoteFull = annotations[CutoverLabels.promoteFull] ?? promoteFull
        acknowledged.abort = annotations[CutoverLabels.abort] ?? abort
        acknowledged.retry = annotations[CutoverLabels.retry] ?? retry
        acknowledged.promoteUnverified = annotations[CutoverLabels.promoteUnverified] ?? promoteUnverified
        return acknowledged
    }
}
