import Cutover
import Foundation
import KubeModels
import Testing

@testable import CutoverController

/// The inbox behind the 409 fix on its own: taken measurements come back in order when the status
/// recording them was not written (the planner leaves out those the status already records).
@Suite("The effect inbox: take, commit, roll back")
struct InboxTests {
    static let key = RolloutKey(namespace: "prod", name: "web")

    static func measurement(_ second: Int, revision: String = "green1") -> Measurement {
        Measurement(metric: "error-rate", revision: revision, at: Date(timeIntervalSince1970: Double(1_700_000_000 + second) + 0.4), value: .value(0.01))
    }

    @Test func rolledBackMeasurementsComeBeforeLaterOnesOldestFirst() {
        var inbox = Inbox<Measurement>(limit: ReleaseEffects.pendingMeasurements)
        inbox.append([Self.measurement(1), Self.measurement(2)], for: Self.key)
        let taken = inbox.take(Self.key)
        inbox.append([Self.measurement(3)], for: Self.key)
        inbox.rollback(Self.key)
        #expect(inbox.take(Self.key).map(\.at) == [1, 2, 3].map { Self.measurement($0).at })
        inbox.commit(Self.key)
        #expect(inbox.take(Self.key).isEmpty, "committed once")
        #expect(taken.count == 2)
    }

    @Test func rollingBackKeepsTheNewestWithinTheLimit() {
        var inbox = Inbox<Measurement>(limit: ReleaseEffects.pendingMeasurements)
        let many = (0..<(ReleaseEffects.pendingMeasurements + 6)).map { Self.measurement($0) }
        inbox.append(many.prefix(10), for: Self.key)
        _ = inbox.take(Self.key)
        inbox.append(many.dropFirst(10), for: Self.key)
        inbox.rollback(Self.key)
        let taken = inbox.take(Self.key)
        #expect(taken.count == ReleaseEffects.pendingMeasurements)
        #expect(taken.first?.at == many[6].at && taken.last?.at == many.last?.at)
    }

    @Test func aTakeNeitherCommittedNorRolledBackIsHandedOutAgain() {
        var inbox = Inbox<Measurement>()
        inbox.append([Self.measurement(1)], for: Self.key)
        _ = inbox.take(Self.key)
        inbox.append([Self.measurement(2)], for: Self.key)
        #expect(inbox.take(Self.key).map(\.at) == [Self.measurement(1).at, Self.measurement(2).at])
        inbox.forget(Self.key)
        inbox.rollback(Self.key)
        #expect(inbox.take(Self.key).isEmpty, "forgotten, taken ones included")
    }
}
