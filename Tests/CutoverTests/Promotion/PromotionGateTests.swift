import Foundation
import KubeModels
import Testing

@testable import Cutover

/// The promotion gate judging what was read of a source: every case that holds a release, and the
/// ones that let it through.
@Suite("Promotion gate")
struct PromotionGateTests {
    static let image = "registry.example.com/payment"
    static let wanted = ["app=\(image):1.5.0"]
    static let staging = PromotionSource(namespace: "staging", rollout: "payment")
    static let stagingGroup = PromotionSource(namespace: "staging", group: "shop")
    /// The gate is asked at minute 60; soak 30m.
    static let now = minute(60)

    static func minute(_ value: Double) -> Timestamp { Timestamp(Fixture.epoch.addingTimeInterval(value * 60)) }

    static func record(
        _ revision: String, _ version: String, _ outcome: ReleaseRecord.Outcome?, started: Double, ended: Double? = nil,
        message: String? = nil, images: [String]? = nil
    ) -> ReleaseRecord {
        var record = ReleaseRecord(revision: revision, images: images ?? ["app=\(image):\(version)"], startedAt: minute(started))
        record.outcome = outcome
        record.endedAt = ended.map(minute)
        record.message = message
        return record
    }

    static func gate(match: PromotionMatch = .images, soak: Int64 = 1800, revision: String = "prod15") -> PromotionGate {
        PromotionGate(revision: revision, images: wanted, match: match, soakSeconds: soak, member: "payment")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var gate = PromotionGateTests.gate()
        var source = PromotionGateTests.staging
        var found: SourceEvidence.Found
        var verified: Bool
        var reason: String
        var message: String
        var soakedAt: Timestamp? = nil
        var testDescription: String { name }
    }

    static let v14 = record("stg14", "1.4.0", .promoted, started: 0, ended: 5)
    static let cases: [Case] = [
        Case(
            name: "not released: the source serves another version",
            found: .rollout(SourceReleases(history: [v14], serving: "stg14")),
            verified: false, reason: "NotReleased", message: "has not released \(image):1.5.0"),
        Case(
            name: "rolled back in the source",
            found: .rollout(SourceReleases(history: [v14, record("stg15", "1.5.0", .rolledBack, started: 10, ended: 12, message: "error-rate 0.2 > 0.05")], serving: "stg14")),
            verified: false, reason: "RolledBack", message: "rolled back \(image):1.5.0: error-rate 0.2 > 0.05"),
        Case(
            name: "still releasing in the source",
            found: .rollout(SourceReleases(history: [v14, record("stg15", "1.5.0", nil, started: 50)], serving: "stg14")),
            verified: false, reason: "Releasing", message: "is still releasing \(image):1.5.0"),
        Case(
            name: "soaking: completed 12m ago of 30m",
            found: .rollout(SourceReleases(history: [v14, record("stg15", "1.5.0", .promoted, started: 40, ended: 48)], serving: "stg15")),
            verified: false, reason: "Soaking", message: "soaked 12m of 30m", soakedAt: minute(78)),
        Case(
            name: "soaked: completed 40m ago",
            found: .rollout(SourceReleases(history: [v14, record("stg15", "1.5.0", .promoted, started: 18, ended: 20)], serving: "stg15")),
            verified: true, reason: "Verified", message: "released \(image):1.5.0 at \(minute(20))"),
        Case(
            name: "superseded by a later promoted release after it soaked",
            found: .rollout(SourceReleases(
                history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2), record("stg16", "1.6.0", .promoted, started: 40, ended: 45)],
                serving: "stg16")),
            verified: true, reason: "Verified", message: "released \(image):1.5.0 at \(minute(2))"),
        Case(
            name: "superseded before it soaked",
            found: .rollout(SourceReleases(
                history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2), record("stg16", "1.6.0", .promoted, started: 4, ended: 7)],
                serving: "stg16")),
            verified: false, reason: "NotSoaked", message: "served \(image):1.5.0 only 5m of 30m before releasing stg16"),
        Case(
            name: "a later release of it that was superseded mid-way does not count",
            found: .rollout(SourceReleases(history: [v14, record("stg15", "1.5.0", .superseded, started: 10, ended: 11)], serving: "stg14")),
            verified: false, reason: "NotReleased", message: "has not released \(image):1.5.0"),
        Case(
            name: "promoted but no longer served and not superseded by a promoted one",
            found: .rollout(SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg99")),
            verified: false, reason: "NoLongerServing", message: "no longer serves \(image):1.5.0 (it serves stg99)"),
        Case(
            name: "source unreachable",
            source: PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "staging-cluster", key: "kubeconfig")),
            found: .unreachable("connection refused"),
            verified: false, reason: "SourceUnreachable", message: "is unreachable: connection refused"),
        Case(
            name: "source not found", found: .notFound, verified: false, reason: "SourceNotFound", message: "does not exist"),
        Case(
            name: "images match although the templates differ (another environment's env)",
            found: .rollout(SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: true, reason: "Verified", message: "released \(image):1.5.0 at \(minute(2))"),
        Case(
            name: "template match: the same images under another template are not enough",
            gate: gate(match: .template),
            found: .rollout(SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: false, reason: "NotReleased", message: "has not released revision prod15"),
        Case(
            name: "template match: the same revision",
            gate: gate(match: .template, revision: "same15"),
            found: .rollout(SourceReleases(history: [record("same15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "same15")),
            verified: true, reason: "Verified", message: "released revision same15 at \(minute(2))"),
        Case(
            name: "images: a sidecar of another version is another release",
            found: .rollout(SourceReleases(
                history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2, images: ["app=\(image):1.5.0", "proxy=envoy:1.30"])],
                serving: "stg15")),
            verified: false, reason: "NotReleased", message: "has not released \(image):1.5.0"),
        Case(
            name: "group: the member's release completed as a group release",
            source: stagingGroup,
            found: .group(
                SourceReleases(history: [record("g1", "-", .promoted, started: 0, ended: 3, images: ["payment=stg15", "cart=c7"])]),
                member: SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: true, reason: "Verified", message: "released \(image):1.5.0 at \(minute(2))"),
        Case(
            name: "group: the group release was rolled back",
            source: stagingGroup,
            found: .group(
                SourceReleases(history: [record("g1", "-", .rolledBack, started: 0, ended: 3, message: "group shop reverted: cart breached", images: ["payment=stg15"])]),
                member: SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: false, reason: "RolledBack", message: "rolled back \(image):1.5.0: group shop reverted: cart breached"),
        Case(
            name: "group: the member released it outside a group release",
            source: stagingGroup,
            found: .group(
                SourceReleases(history: []),
                member: SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: false, reason: "NotReleased", message: "has not released \(image):1.5.0 in a group release"),
        Case(
            name: "group: soaking counts from the group's completion",
            source: stagingGroup,
            found: .group(
                SourceReleases(history: [record("g1", "-", .promoted, started: 0, ended: 50, images: ["payment=stg15"])]),
                member: SourceReleases(history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")),
            verified: false, reason: "Soaking", message: "soaked 10m of 30m", soakedAt: minute(80)),
        Case(
            name: "group: the member moved on before the group release soaked",
            source: stagingGroup,
            found: .group(
                SourceReleases(history: [record("g1", "-", .promoted, started: 0, ended: 25, images: ["payment=stg15"])]),
                member: SourceReleases(
                    history: [record("stg15", "1.5.0", .promoted, started: 0, ended: 2), record("stg16", "1.6.0", .promoted, started: 38, ended: 40)],
                    serving: "stg16")),
            verified: false, reason: "NotSoaked", message: "served \(image):1.5.0 only 15m of 30m after its group release completed"),
        Case(
            name: "group: no member of this name", source: stagingGroup,
            found: .group(SourceReleases(history: []), member: nil),
            verified: false, reason: "NotReleased", message: "has no member payment"),
    ]

    @Test(arguments: cases)
    func judgesOneSource(_ test: Case) {
        let judged = test.gate.judge(PromotionEvidence(revision: test.gate.revision, sources: [SourceEvidence(source: test.source, found: test.found)]), now: Self.now)
        #expect(judged.allowed == test.verified)
        #expect(judged.reason == test.reason)
        let source = judged.sources?.first
        #expect(source?.message == test.message)
        #expect(source?.soakedAt == test.soakedAt)
        #expect(judged.checkedAt == Self.now)
        if !test.verified { #expect(judged.message == "\(test.source) \(test.message)") }
    }

    @Test func everySourceMustVouchAndTheMessageNamesOnlyThoseThatDoNot() {
        let verified = SourceEvidence(source: Self.staging, found: .rollout(SourceReleases(history: [Self.record("stg15", "1.5.0", .promoted, started: 0, ended: 2)], serving: "stg15")))
        let other = PromotionSource(namespace: "qa", rollout: "payment")
        let missing = SourceEvidence(source: other, found: .rollout(SourceReleases(history: [Self.v14], serving: "stg14")))
        let judged = Self.gate().judge(PromotionEvidence(revision: "prod15", sources: [verified, missing]), now: Self.now)
        #expect(!judged.allowed)
        #expect(judged.reason == "NotReleased")
        #expect(judged.message == "qa/payment has not released \(Self.image):1.5.0")
        #expect(judged.sources?.map(\.verified) == [true, false])
        let both = Self.gate().judge(PromotionEvidence(revision: "prod15", sources: [verified, verified]), now: Self.now)
        #expect(both.allowed)
        #expect(both.message == "verified in staging/payment, staging/payment")
    }

    @Test func aRolledBackSourceDecidesTheReasonWhereverItIsListed() {
        let missing = SourceEvidence(source: PromotionSource(namespace: "qa", rollout: "payment"), found: .rollout(SourceReleases(history: [Self.v14], serving: "stg14")))
        let rolledBack = SourceEvidence(
            source: Self.staging,
            found: .rollout(SourceReleases(history: [Self.v14, Self.record("stg15", "1.5.0", .rolledBack, started: 10, ended: 12)], serving: "stg14")))
        let judged = Self.gate().judge(PromotionEvidence(revision: "prod15", sources: [missing, rolledBack]), now: Self.now)
        #expect(judged.reason == "RolledBack", "waiting will not change it, whatever the first source says")
    }

    @Test func sourcesAreNamedWithTheirClusterAndKind() {
        #expect(Self.staging.description == "staging/payment")
        #expect(Self.stagingGroup.description == "staging/shop (group)")
        let remote = PromotionSource(namespace: "staging", rollout: "payment", kubeconfigSecret: SecretKeyReference(name: "staging-cluster", key: "kubeconfig"))
        #expect(remote.description == "staging/payment in staging-cluster")
    }
}
