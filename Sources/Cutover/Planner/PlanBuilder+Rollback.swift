/// Fast rollback (`spec.rollbackWindow`): a template equal to a recently released revision goes
/// back without a canary. Whether the release in flight is one is kept in its record
/// (`status.history`), so a restarted controller carries on the same way.
extension PlanBuilder {
    /// Whether releasing `revision` now is a rollback (``RollbackWindow/covers(_:after:)``). Not
    /// for a group's member: the group releases its members together.
    func isRollback(to revision: String) -> Bool {
        guard let window = rollout.spec.rollbackWindow, !grouped else { return false }
        return window.covers(revision, after: status)
    }

    /// Whether the release in flight is a rollback that skips `part` (`Skip` unless it says `Run`).
    func rollbackSkips(_ part: String?) -> Bool {
        guard let green = status.greenRevision, let record = status.history?.last, record.revision == green, record.outcome == nil,
            record.rollback == true
        else { return false }
        return RollbackWindow.skips(part)
    }
}
