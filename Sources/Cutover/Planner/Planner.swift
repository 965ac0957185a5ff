import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decides the one next step of a release from what was observed. Pure: no I/O, no clock (time
/// is `now`), no randomness; the same snapshot and `now` always give the same plan.
public func planNextStep(for snapshot: ReleaseSnapshot, now: Date) -> ReleasePlan {
    var builder = PlanBuilder(snapshot: snapshot, now: now)
    builder.run()
    return builder.finish()
}

/// The edge-triggered actions found new in this snapshot.
struct PendingActions {
    var promote = false
    var promoteFull = false
    var abort = false
    var retry = false
    /// The new `cutover.dev/promote-unverified` value, if any.
    var promoteUnverified: String?

    mutating func consumeAll() { self = PendingActions() }
}

/// One planning pass: reads the snapshot, evolves `status`, collects actions.
struct PlanBuilder {
    let snapshot: ReleaseSnapshot
    let now: Timestamp
    let spec: ResolvedSpec
    let oldStatus: RolloutStatus
    var status: RolloutStatus
    /// The Rollout's Deployments by their revision label.
    let deployments: [String: Deployment]
    var hash: String
    var pending = PendingActions()
    var events: [RolloutEvent] = []
    /// The releases ended in this plan, in order (see ``ReleaseFact/ending``).
    var endings: [ReleaseEnding] = []
    var queries: [MetricQuery] = []
    var wakeups: [Timestamp] = []
    /// Housekeeping before the status write, and after it (see ``ReleasePlan``).
    var actions: [ReleaseAction] = []
    var afterStatus: [ReleaseAction] = []
    /// Set when the plan must touch nothing (invalid spec, active Service missing).
    var frozen = false
    /// Analysis outcome of this snapshot's measurements.
    var analysisFailure: AbortStatus?
    /// Whether this plan recorded a measurement (the release score is computed again only then,
    /// or when the window moves).
    var recordedMeasurements = false
    /// A gate hook that failed (or never answered): the release reverts.
    var hookFailure: AbortStatus?
    /// The gate hooks to call, at most one per gate however many passes reach it.
    var hookCalls: [HookName: HookCall] = [:]
    /// The promotion sources to read, while the template waits at the gate.
    var promotionCheck: PromotionCheck?
    /// The full 64-bit fingerprint of the template, written on the Deployments we create.
    var templateFingerprint = ""
    /// The snapshot's ``SpecFacts`` when they are this Rollout's generation's.
    let facts: SpecFacts?
    /// Set when the Rollout is being deleted: the plan is empty and the status unchanged.
    var deleting = false
    /// The problems of an invalid spec.
    var invalidErrors: [ValidationError] = []
    /// Why the active Service cannot be steered, if it cannot (``selectorProblem(in:)``).
    let serviceSelectorProblem: String?
    /// Another Rollout that claims one of the Services (``serviceInUse(in:)``).
    let serviceInUse: (service: String, owner: String)?
    /// Claims of Services not ours yet: planned alone, the rest waits until they are seen.
    var claims: [ReleaseAction] = []

    var rollout: Rollout { snapshot.rollout }
    var name: String { rollout.metadata.name ?? "" }
    var paused: Bool { status.paused == true }
    /// The canary steps of the release in flight: none for a rollback that skips them.
    var steps: [ResolvedSpec.ResolvedStep] { rollbackSkips(rollout.spec.rollbackWindow?.steps) ? [] : spec.steps }
    /// The metrics that judge the release in flight: none for a rollback that skips analysis.
    var metrics: [MetricSpec] { rollbackSkips(rollout.spec.rollbackWindow?.analysis) ? [] : spec.metrics }
    /// Whether the release stops for a promote after its steps.
    var manualApproval: Bool { spec.manualApproval && !rollbackSkips(rollout.spec.rollbackWindow?.steps) }

    init(snapshot: ReleaseSnapshot, now: Date) {
        self.snapshot = snapshot
        // Whole seconds, so the status survives a JSON round trip unchanged (restart safety).
        self.now = Timestamp(Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        facts = snapshot.specFacts.flatMap { $0.describe(snapshot.rollout) ? $0 : nil }
        spec = facts?.spec ?? snapshot.rollout.spec.resolved()
        oldStatus = snapshot.rollout.status ?? RolloutStatus()
        status = oldStatus
        let rolloutName = snapshot.rollout.metadata.name ?? ""
        var byRevision: [String: Deployment] = [:]
        for deployment in snapshot.deployments {
            guard let labels = deployment.metadata.labels, labels[CutoverLabels.rollout] == rolloutName,
                let revision = labels[CutoverLabels.revision]
            else { continue }
            byRevision[revision] = deployment
        }
        deployments = byRevision
        hash = ""
        serviceSelectorProblem = Self.selectorProblem(in: snapshot)
        serviceInUse = Self.serviceInUse(in: snapshot)
    }

    mutating func run() {
        // Being deleted: the garbage collector removes the Deployments (owner references); touching
        // anything now could only race it.
        guard rollout.metadata.deletionTimestamp == nil else {
            frozen = true
            deleting = true
            return
        }
        status.observedGeneration = rollout.metadata.generation
        status.selector = rollout.spec.selector.queryString
        ingestDeliveries()
        let errors = facts?.errors ?? rollout.validate()
        guard errors.isEmpty else { return suspendForInvalidSpec(errors) }
        if status.phase == .invalidSpec {
            status.phase = status.suspendedPhase
            status.suspendedPhase = nil
        }
        resolveHash()
        guard snapshot.services[rollout.spec.services.active] != nil, serviceSelectorProblem == nil, serviceInUse == nil else {
            if let inUse = serviceInUseText, oldStatus.conditions?.first(where: { $0.type == ConditionType.available })?.reason != "ServiceInUse" {
                events.append(RolloutEvent(type: "Warning", reason: "ServiceInUse", message: inUse))
            }
            frozen = true
            return
        }
        // Services not ours yet are claimed first, alone: nothing moves until the claims are seen.
        claims = serviceClaims
        guard claims.isEmpty else {
            frozen = true
            return
        }
        status.paused = rollout.metadata.annotations?[CutoverLabels.paused] == "true"
        status.group = groupName.map { MemberGroupStatus(name: $0) }
        readPendingActions()
        ingestMeasurements()
        ingestHookResults()
        ingestPromotionEvidence()
        // A few passes, so a transition whose conditions already hold (green ready → canary step
        // started) is taken in this plan instead of one reconcile later. Bounded: every pass that
        // changes nothing ends the loop.
        for _ in 0..<6 {
            let before = status
            transition()
            if status == before { break }
        }
        housekeeping()
        updateScore()
        requestDueMeasurements()
        acknowledgeActions()
    }

    /// The revision of the template. A Deployment already made from this very template (same
    /// full fingerprint, an annotation API-server defaulting of the pod template does not change)
    /// names it, whatever `collisionCount` was then; otherwise the hash, bumping `collisionCount`
    /// while it names a Deployment made from a different template.
    mutating func resolveHash() {
        var canonicalJSON: String?
        func canonical() -> String {
            if let canonicalJSON { return canonicalJSON }
            let computed = TemplateHash.canonicalJSON(of: rollout.spec.template)
            canonicalJSON = computed
            return computed
        }
        let fingerprint = facts?.fingerprint ?? PlanBuilder.fingerprint(canonicalJSON: canonical())
        templateFingerprint = fingerprint
        let preferred = [status.activeRevision, status.greenRevision].compactMap { $0 } + deployments.keys.sorted()
        if let existing = preferred.first(where: {
            deployments[$0]?.metadata.annotations?[CutoverLabels.templateFingerprint] == fingerprint
        }) {
            hash = existing
            return
        }
        var count = status.collisionCount ?? 0
        var candidate: String
        if let facts, count == 0 {
            candidate = facts.hash
        } else {
            candidate = TemplateHash.of(canonicalJSON: canonical(), collisionCount: count)
        }
        while let existing = deployments[candidate],
            let theirs = existing.metadata.annotations?[CutoverLabels.templateFingerprint], theirs != fingerprint,
            count < 100
        {
            count += 1
            candidate = TemplateHash.of(canonicalJSON: canonical(), collisionCount: count)
        }
        if count != (status.collisionCount ?? 0) {
            status.collisionCount = count
            events.append(RolloutEvent(type: "Warning", reason: "HashCollision", message: "template hash collided; collisionCount is now \(count)"))
        }
        hash = candidate
    }

    static func fingerprint(canonicalJSON: String) -> String {
        let value = TemplateHash.fnv1a64(canonicalJSON)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    mutating func suspendForInvalidSpec(_ errors: [ValidationError]) {
        frozen = true
        if status.phase != .invalidSpec {
            status.suspendedPhase = status.phase
            status.phase = .invalidSpec
            events.append(RolloutEvent(type: "Warning", reason: "InvalidSpec", message: errors.map(\.description).joined(separator: "; ")))
        }
        status.message = errors[0].description + (errors.count > 1 ? " (and \(errors.count - 1) more)" : "")
        invalidErrors = errors
    }

    mutating func readPendingActions() {
        pending = (status.acknowledgedActions ?? AcknowledgedActions()).pending(in: rollout.metadata.annotations ?? [:])
    }

    /// Records every action annotation's current value (see ``AcknowledgedActions/acknowledging(_:)``).
    mutating func acknowledgeActions() {
        let acknowledged = (status.acknowledgedActions ?? AcknowledgedActions()).acknowledging(rollout.metadata.annotations ?? [:])
        if acknowledged != AcknowledgedActions() || status.acknowledgedActions != nil {
            status.acknowledgedActions = acknowledged
        }
        if pending.promote || pending.promoteFull || pending.abort || pending.retry || pending.promoteUnverified != nil {
            events.append(RolloutEvent(reason: "ActionIgnored", message: "an action annotation had nothing to act on in phase \(status.phase?.rawValue ?? "-")"))
        }
    }

    mutating func wake(at time: Timestamp) { wakeups.append(time) }

    func later(_ seconds: Int64) -> Timestamp { Timestamp(now.date.addingTimeInterval(Double(seconds))) }

    mutating func finish() -> ReleasePlan {
        if deleting { return ReleasePlan(actions: [], status: oldStatus, requeueAfter: nil) }
        finishStatus()
        var requeue: Double? = nil
        if let earliest = wakeups.min() { requeue = max(0, earliest.date.timeIntervalSince(now.date)) }
        if frozen, invalidErrors.isEmpty, claims.isEmpty { requeue = 30 }
        // Only hooks still running for the release in flight: a later pass of this plan may have reverted it.
        let calls = hookCalls.sorted { $0.key.rawValue < $1.key.rawValue }.map(\.value)
            .filter { call in runningHook.map { $0.name == call.name && $0.revision == call.payload.revision } ?? false }
            .map { ReleaseAction.callHook($0) }
        let check = promotionCheck.flatMap { status.phase == .awaitingPromotion && !frozen ? [ReleaseAction.checkPromotion($0)] : nil } ?? []
        return ReleasePlan(
            actions: claims + actions + (queries.isEmpty ? [] : [.measure(queries)]) + calls + check, status: status,
            afterStatus: afterStatus + (RolloutEvent.folding(events).map { [.recordEvent($0)] } ?? []), requeueAfter: requeue, outcome: outcome)
    }

    /// How the release in flight when the plan began ended: only one that had a blue, and only
    /// if this plan did not start the same revision again (a retry taken at once).
    var outcome: ReleaseEnding? {
        guard let green = oldStatus.greenRevision, oldStatus.activeRevision != nil, status.greenRevision != green else { return nil }
        return endings.first { $0.revision == green }
    }
}
