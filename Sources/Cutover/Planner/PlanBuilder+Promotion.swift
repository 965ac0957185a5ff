import KubeModels

/// `spec.promotion`: a template is released only once every source environment released it,
/// and it soaked there (``PromotionGate``). Until then the Rollout waits in `AwaitingPromotion`
/// with nothing created and blue untouched; the controller reads the sources in the background
/// (``ReleaseAction/checkPromotion(_:)``) every ``PlanBuilder/promotionRecheckSeconds``. See
/// docs/promotion.md.
extension PlanBuilder {
    /// How often the sources are read again while a template waits at the gate.
    static let promotionRecheckSeconds: Int64 = 10

    /// The Rollout's own `spec.promotion`, else its ReleaseGroup's.
    var promotionSpec: PromotionSpec? {
        if let own = rollout.spec.promotion { return own }
        guard groupName != nil, let group = snapshot.group, group.metadata.name == groupName else { return nil }
        return group.spec.promotion
    }

    /// The gate for the template, when `spec.promotion` is set.
    var promotionGate: PromotionGate? {
        guard let promotion = promotionSpec else { return nil }
        return PromotionGate(
            revision: hash, images: Self.images(of: rollout.spec.template),
            match: promotion.match.flatMap(PromotionMatch.init(rawValue:)) ?? .images,
            soakSeconds: promotion.soak.flatMap(DurationText.seconds) ?? 0, member: name)
    }

    /// Judges the sources the last check read, when it read them for this template; a judgment
    /// that already let the template through stands.
    mutating func ingestPromotionEvidence() {
        guard let gate = promotionGate, let evidence = snapshot.promotion, evidence.revision == hash,
            !(status.promotion?.revision == hash && status.promotion?.allowed == true)
        else { return }
        status.promotion = gate.judge(evidence, now: now)
    }

    /// Whether the release of the template may start: there is no gate, its sources vouched for
    /// it, or `cutover.dev/promote-unverified` overrides them now. Otherwise waits at the gate.
    mutating func promotionAllows() -> Bool {
        guard promotionSpec != nil else { return true }
        if let judged = status.promotion, judged.revision == hash, judged.allowed { return true }
        if let value = pending.promoteUnverified {
            pending.promoteUnverified = nil
            let by = FieldAuthor.name(of: .promoteUnverified, in: rollout.metadata)
            var overridden = (status.promotion?.revision == hash ? status.promotion : nil)
                ?? PromotionStatus(revision: hash, allowed: false, reason: "", message: "")
            let unverified = overridden.reason.isEmpty ? "" : " (\(overridden.message))"
            overridden.allowed = true
            overridden.reason = "Overridden"
            overridden.message = "released unverified by \(CutoverLabels.promoteUnverified)=\(value)\(by.map { " set by \($0)" } ?? "")\(unverified)"
            overridden.override = PromotionOverride(value: value, by: by, at: now)
            status.promotion = overridden
            events.append(RolloutEvent(type: "Warning", reason: "PromotionOverridden", message: "\(hash): \(overridden.message)"))
            return true
        }
        awaitPromotion()
        return false
    }

    /// Holds the template at the gate: nothing of it is created, traffic stays on blue; the
    /// sources are read again when the last reading is ``promotionRecheckSeconds`` old.
    mutating func awaitPromotion() {
        guard let promotion = promotionSpec else { return }
        // Said once per wait: when it begins, and again when the spec changed (a newer template) while waiting.
        let waitBegins = oldStatus.phase != .awaitingPromotion || oldStatus.observedGeneration != rollout.metadata.generation
        if waitBegins, !events.contains(where: { $0.reason == "AwaitingPromotion" }) {
            events.append(RolloutEvent(reason: "AwaitingPromotion", message: "\(hash) waits until \(promotion.from.map(\.description).joined(separator: ", ")) released it"))
        }
        status.phase = .awaitingPromotion
        status.greenRevision = nil
        status.traffic = .blue
        status.progressDeadline = nil
        clearReleaseProgress()
        // The group's gate is invalid (its own status says so too): hold, read nothing.
        if rollout.spec.promotion == nil, let problem = promotion.errors(at: "spec.promotion").first {
            status.promotion = PromotionStatus(
                revision: hash, allowed: false, reason: "InvalidGroupSpec", message: "group \(groupName ?? "-"): \(problem)")
            return
        }
        let judged = status.promotion?.revision == hash ? status.promotion : nil
        if let due = judged?.checkedAt.map({ Timestamp($0.date.addingTimeInterval(Double(Self.promotionRecheckSeconds))) }), due > now {
            wake(at: due)
        } else {
            promotionCheck = PromotionCheck(revision: hash, sources: promotion.from, member: name)
            wake(at: later(Self.promotionRecheckSeconds))
        }
    }

    /// Records in the release just opened where it was verified (or who overrode the gate).
    mutating func recordPromotion() {
        guard promotionSpec != nil, let judged = status.promotion, judged.revision == hash, judged.allowed,
            var history = status.history, let last = history.indices.last, history[last].revision == hash, history[last].outcome == nil
        else { return }
        history[last].promotion = judged
        status.history = history
    }

    /// The `PromotionAllowed` condition, with `spec.promotion`.
    var promotionCondition: (allowed: Bool, reason: String, message: String)? {
        guard promotionSpec != nil else { return nil }
        if let judged = status.promotion, judged.revision == hash { return (judged.allowed, judged.reason, judged.message) }
        if status.activeRevision == hash { return (true, "ActiveRevision", "\(hash) is the active revision") }
        return (false, "Checking", "reading the promotion sources for \(hash)")
    }
}
