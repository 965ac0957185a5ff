import Foundation
import KubeModels
import Testing

@testable import Cutover

/// The CRD must describe every field the Swift types write: a structural schema prunes unknown
/// fields, so a status field missing from it would be dropped by the API server and a restarted
/// controller would lose its place.
@Suite("Rollout CRD")
struct RolloutCRDTests {
    static let crdText = crd("rollouts.cutover.dev.yaml")

    /// The text of `crds/<file>`.
    static func crd(_ file: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("crds/\(file)"), encoding: .utf8)) ?? ""
    }

    /// A Rollout with every optional field set, so its JSON has every key.
    static var everything: Rollout {
        var spec = RolloutSpecValidationTests.valid
        spec.minReadySeconds = 5
        spec.revisionHistoryLimit = 2
        spec.selector.matchExpressions = [LabelSelectorRequirement(key: "app", operator: "In", values: ["payment"])]
        spec.analysis?.metrics = [
            MetricSpec(
                name: "m", query: "q", baseline: "b", max: 1, min: 0, maxIncrease: 0.1, maxDecrease: 0.1, noData: "Fail",
                failureLimit: 1, inconclusiveLimit: 2, errorLimit: 3, consecutiveBreachLimit: 2, consecutiveSuccessLimit: 2,
                judge: JudgeSpec(window: "5m", step: "15s", regression: "Either", confidence: 0.99, minSamples: 5, minEffect: 0.2))
        ]
        spec.analysis?.score = ScoreSpec(pass: 90, marginal: 70)
        spec.analysis?.metrics?.append(
            MetricSpec(
                name: "w",
                web: WebMetric(
                    url: "http://checks/x", urlSecret: SecretKeyReference(name: "s", key: "k"), method: "POST", body: "{}",
                    headers: [HTTPHeaderSpec(name: "X-A", value: "b")], headersSecret: SecretReference(name: "h"), timeout: "5s", jsonPath: "{.v}"),
                min: 1))
        spec.rollbackWindow = RollbackWindow(revisions: 2, steps: "Run", analysis: "Skip")
        let hook = GateHook(url: "http://smoke", urlSecret: SecretKeyReference(name: "s", key: "k"), timeout: "5s", retries: 1)
        spec.hooks = RolloutHooks(preRelease: GateHook(job: PlannerJobGateTests.migration, timeout: "5m"), preCutover: hook, postCutover: hook)
        spec.notifications = [
            NotificationTarget(name: "n", urlSecret: SecretKeyReference(name: "s", key: "k"), format: "Slack", events: ["Started"], timeout: "5s")
        ]
        spec.releaseHistoryLimit = 3
        spec.promotion = PromotionSpec(
            from: [PromotionSource(namespace: "staging", rollout: "payment", group: "shop", kubeconfigSecret: SecretKeyReference(name: "s", key: "k"))],
            soak: "30m", match: "Images")
        var status = RolloutStatus()
        let at = Timestamp(Fixture.epoch)
        status.phase = .canary
        status.message = "m"
        status.observedGeneration = 1
        status.activeRevision = "a"
        status.greenRevision = "g"
        status.rolledBackRevision = "r"
        status.collisionCount = 1
        status.traffic = .split
        status.currentStepIndex = 0
        status.stepStartedAt = at
        status.progressDeadline = at
        status.releaseStartedAt = at
        status.greenReadyAt = at
        status.cutoverAt = at
        status.holdUntil = at
        status.weight = 20
        status.paused = false
        status.manualPromotion = "promote"
        status.approvalReason = "x"
        status.abort = AbortStatus(reason: "Aborted", member: "b", revision: "g", metric: "m", value: 1, limit: 1, message: "x", at: at)
        status.group = MemberGroupStatus(name: "shop", waitingAt: .step, step: 0)
        status.promotion = PromotionStatus(
            revision: "g", allowed: true, reason: "Overridden", message: "x", checkedAt: at,
            sources: [PromotionSourceStatus(source: "staging/payment", verified: false, reason: "Soaking", message: "x", revision: "s", completedAt: at, soakedAt: at)],
            override: PromotionOverride(value: "INC-1", by: "kubectl-annotate", at: at))
        var metric = MetricStatus(name: "m")
        metric.lastMeasuredAt = at
        metric.lastPassAt = at
        metric.history = [MeasurementRecord(at: at, revision: "g", value: 1, baseline: 1, verdict: .pass, message: "x")]
        status.analysis = [metric]
        status.score = ReleaseScore(value: 75, result: .marginal, since: at, message: "m 75 (1 Pass, 1 Marginal)")
        var hookStatus = HookStatus(name: .preCutover, revision: "g", phase: .passed, startedAt: at)
        hookStatus.finishedAt = at
        hookStatus.attempts = 1
        hookStatus.message = "HTTP 200"
        status.hooks = [hookStatus]
        let event = ReleaseEvent(at: at, type: .rolledBack, message: "x", reason: "r", step: 1, weight: 20, metric: "m", value: 1, limit: 1)
        var record = ReleaseRecord(revision: "g", blueRevision: "a", rollback: true, images: ["app=x"], startedBy: "kubectl", startedAt: at, timeline: [event])
        record.endedAt = at
        record.outcome = .rolledBack
        record.reason = "r"
        record.message = "x"
        record.measurements = [FinalMeasurement(metric: "m", at: at, value: 1, baseline: 1, verdict: .breach, breaches: 1)]
        record.promotion = status.promotion
        status.history = [record]
        status.notifications = NotificationStatus(
            lastID: 1, pending: [PendingNotification(id: 1, revision: "g", blueRevision: "a", event: event, targets: ["n"])])
        status.acknowledgedActions = AcknowledgedActions(promote: "1", promoteFull: "1", abort: "1", retry: "1", promoteUnverified: "1")
        status.suspendedPhase = .canary
        status.conditions = [Condition(type: "Available", status: "True", reason: "r", message: "m", lastTransitionTime: at, observedGeneration: 1)]
        status.replicas = 1
        status.selector = "app=payment"
        var rollout = Fixture.rollout(spec)
        rollout.status = status
        return rollout
    }

    static func keys(of value: JSONValue, skipping skipped: Set<String>) -> Set<String> {
        switch value {
        case .object(let members):
            return members.reduce(into: Set<String>()) { result, member in
                guard !skipped.contains(member.key) else { return }
                result.insert(member.key)
                result.formUnion(keys(of: member.value, skipping: skipped))
            }
        case .array(let items): return items.reduce(into: Set<String>()) { $0.formUnion(keys(of: $1, skipping: skipped)) }
        default: return []
        }
    }

    @Test func everyFieldTheTypesWriteIsInTheSchema() throws {
        #expect(!Self.crdText.isEmpty)
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(Self.everything))
        // metadata and the pod template are not described field by field (kept verbatim).
        let spec = Self.keys(of: json["spec"]!, skipping: ["template", "matchLabels"])
        let status = Self.keys(of: json["status"]!, skipping: [])
        for key in spec.union(status).sorted() {
            #expect(Self.crdText.contains("\(key):") || Self.crdText.contains("\(key): {"), "CRD schema lacks \(key)")
        }
        #expect(status.count > 40)
    }

    @Test(arguments: [
        "replicas: {type: integer, format: int32, minimum: 0, default: \(ResolvedSpec.Defaults.replicas), description: \"",
        "minReadySeconds: {type: integer, format: int32, minimum: 0, default: \(ResolvedSpec.Defaults.minReadySeconds), description: \"",
        "progressDeadlineSeconds: {type: integer, format: int32, minimum: 1, default: \(ResolvedSpec.Defaults.progressDeadlineSeconds), description: \"",
        "revisionHistoryLimit: {type: integer, format: int32, minimum: 0, default: \(ResolvedSpec.Defaults.revisionHistoryLimit), description: \"",
        "approval: {type: string, enum: [Automatic, Manual], default: \(ResolvedSpec.Defaults.approval), description: \"",
        "holdWindow: {type: string, pattern: '\(DurationText.pattern)', default: \(ResolvedSpec.Defaults.holdWindow), description: \"",
        "pause: {type: string, pattern: '\(DurationText.pattern)', default: \(ResolvedSpec.Defaults.pause), description: \"",
        "interval: {type: string, pattern: '\(DurationText.pattern)', default: \(ResolvedSpec.Defaults.interval), description: \"",
        "noData: {type: string, enum: [Inconclusive, Fail, Pass], default: \(ResolvedSpec.Defaults.noData), description: \"",
        "failureLimit: {type: integer, format: int32, minimum: 0, default: \(ResolvedSpec.Defaults.failureLimit), description: \"",
        "inconclusiveLimit: {type: integer, format: int32, minimum: 1, default: \(ResolvedSpec.Defaults.inconclusiveLimit), description: \"",
        "errorLimit: {type: integer, format: int32, minimum: 1, default: \(ResolvedSpec.Defaults.errorLimit), description: \"",
        "consecutiveBreachLimit: {type: integer, format: int32, minimum: 1, default: \(ResolvedSpec.Defaults.consecutiveBreachLimit), description: \"",
        "consecutiveSuccessLimit: {type: integer, format: int32, minimum: 1, maximum: \(MetricStatus.historyLimit), default: \(ResolvedSpec.Defaults.consecutiveSuccessLimit), description: \"",
        "window: {type: string, pattern: '\(DurationText.pattern)', default: \(JudgeSpec.Defaults.window), description: \"",
        "step: {type: string, pattern: '\(DurationText.pattern)', default: \(JudgeSpec.Defaults.step), description: \"",
        "regression: {type: string, enum: [Increase, Decrease, Either], default: \(JudgeSpec.Defaults.regression.rawValue), description: \"",
        "confidence: {type: number, exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 1, default: \(JudgeSpec.Defaults.confidence), description: \"",
        "minSamples: {type: integer, format: int32, minimum: 1, default: \(JudgeSpec.Defaults.minSamples), description: \"",
        "minEffect: {type: number, minimum: 0, default: \(JudgeSpec.Defaults.minEffect), description: \"",
        "timeout: {type: string, pattern: '\(DurationText.pattern)', default: \(GateHook.Defaults.timeout), description: \"",
        "retries: {type: integer, format: int32, minimum: 0, maximum: 10, default: \(GateHook.Defaults.retries), description: \"",
        "format: {type: string, enum: [JSON, Slack], default: \(NotificationTarget.Defaults.format), description: \"",
        "timeout: {type: string, pattern: '\(DurationText.pattern)', default: \(NotificationTarget.Defaults.timeout), description: \"",
        "releaseHistoryLimit: {type: integer, format: int32, minimum: 1, maximum: \(RolloutSpec.maxReleaseHistoryLimit), default: \(ResolvedSpec.Defaults.releaseHistoryLimit), description: \"",
        "weight: {type: integer, format: int32, minimum: 1, maximum: 99, description: \"",
        "revisions: {type: integer, format: int32, minimum: 1, maximum: \(RolloutSpec.maxReleaseHistoryLimit), description: \"",
        "backoffLimit: {type: integer, format: int32, minimum: 0, maximum: 10, default: 0, description: \"",
        "method: {type: string, enum: [GET, POST], default: GET, description: \"",
        "timeout: {type: string, pattern: '\(DurationText.pattern)', default: \(DurationText.format(WebMetric.defaultTimeoutSeconds)), description: \"",
        "match: {type: string, enum: [Images, Template], default: Images, description: \"",
        "soak: {type: string, pattern: '\(DurationText.pattern)', default: \"0\", description: \"",
        "shortNames: [cro, cutover]",
        "categories: [all, cutover]",
        "specReplicasPath: .spec.replicas",
        "statusReplicasPath: .status.replicas",
        "labelSelectorPath: .status.selector",
        "- {name: Phase, type: string, jsonPath: .status.phase}",
        "- {name: Weight, type: integer, jsonPath: .status.weight}",
        "- {name: Active, type: string, jsonPath: .status.activeRevision}",
        "- {name: Green, type: string, jsonPath: .status.greenRevision}",
        "- {name: Message, type: string, jsonPath: .status.message, priority: 1}",
        "- {name: Age, type: date, jsonPath: .metadata.creationTimestamp}",
        "x-kubernetes-preserve-unknown-fields: true",
    ])
    func schemaLineMatchesTheSwiftDefaults(_ line: String) {
        #expect(Self.crdText.contains(line))
    }

    @Test func phaseEnumListsEveryPhase() {
        let listed = RolloutPhase.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(Self.crdText.contains("enum: [\(listed)]"))
    }

    /// `spec.hooks` is kept out of line (``OutOfLine``): coded exactly as a plain optional, absent
    /// when unset (a `null` would be written back with every status update), 8 bytes in the struct.
    enum Coder: CaseIterable, Sendable {
        case kubeModels, foundation

        func encode(_ rollout: Rollout) throws -> [UInt8] {
            switch self {
            case .kubeModels: try JSONValueEncoder().encodeBytes(rollout)
            case .foundation: try Array(JSONEncoder().encode(rollout))
            }
        }
    }

    @Test(arguments: Coder.allCases) func hooksAreCodedAsAPlainOptional(coder: Coder) throws {
        let encode = coder.encode
        var rollout = Self.everything
        #expect(rollout.spec.hooks != nil)
        let withHooks = try JSONValueDecoder().decode(JSONValue.self, from: try encode(rollout))
        #expect(withHooks["spec"]?["hooks"]?["preCutover"] != nil)
        rollout.spec.hooks = nil
        let without = try JSONValueDecoder().decode(JSONValue.self, from: try encode(rollout))
        #expect(without["spec"]?.objectValue?.keys.contains("hooks") == false)
        #expect(try JSONValueDecoder().decode(Rollout.self, from: without).spec.hooks == nil)
        var nulled = without
        nulled["spec"]?["hooks"] = .null
        #expect(try JSONDecoder().decode(Rollout.self, from: Data(JSONWriter.bytes(nulled))).spec.hooks == nil)
        #expect(MemoryLayout<OutOfLine<RolloutHooks>>.size == 8)
    }

    @Test func aRolloutRoundTripsThroughJSON() throws {
        let rollout = Self.everything
        let decoded = try JSONDecoder().decode(Rollout.self, from: JSONEncoder().encode(rollout))
        #expect(decoded == rollout)
        #expect(Rollout.resource.path(namespace: "prod", name: "payment") == "/apis/cutover.dev/v1alpha1/namespaces/prod/rollouts/payment")
    }
}
