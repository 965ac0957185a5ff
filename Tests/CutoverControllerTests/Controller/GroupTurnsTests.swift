import ClusterHarness
import KubeRuntime
import Synchronization
import Testing

@testable import CutoverController

/// A group's decisions and its members' reconciles never interleave in one controller; members
/// run beside each other, and a group waiting for its turn is not overtaken.
@Suite("Group turns", .timeLimit(.minutes(1)))
struct GroupTurnsTests {
    let shop = ObjectKey(namespace: "prod", name: "shop")

    /// A reconcile that holds its turn until `open` is called, and records when it ran.
    final class Held: Sendable {
        let entered = Mutex(false)
        let finished = Mutex(false)
        private let gate: AsyncStream<Void>
        private let opener: AsyncStream<Void>.Continuation
        init() { (gate, opener) = AsyncStream.makeStream() }
        func open() { opener.finish() }
        func run(_ turns: GroupTurns, _ key: ObjectKey, exclusive: Bool) -> Task<Void, Never> {
            Task {
                await turns.run(key, exclusive: exclusive) {
                    entered.withLock { $0 = true }
                    for await _ in gate {}
                }
                finished.withLock { $0 = true }
            }
        }
        var hasEntered: Bool { entered.withLock { $0 } }
    }

    func waitUntil(_ what: String, _ condition: @escaping () async -> Bool) async throws {
        _ = try await eventually(what, timeout: .seconds(10), interval: .milliseconds(5)) { await condition() ? (true, "") : (nil, "not yet") }
    }

    @Test func membersRunBesideEachOther() async throws {
        let turns = GroupTurns()
        let first = Held(), second = Held()
        let one = first.run(turns, shop, exclusive: false)
        let two = second.run(turns, shop, exclusive: false)
        try await waitUntil("both members in their turn") { first.hasEntered && second.hasEntered }
        first.open()
        second.open()
        await one.value
        await two.value
        #expect(await turns.waiting(shop) == 0)
    }

    @Test func aGroupWaitsForItsMembersAndALaterMemberWaitsForTheGroup() async throws {
        let turns = GroupTurns()
        let member = Held(), group = Held(), later = Held()
        let memberTask = member.run(turns, shop, exclusive: false)
        try await waitUntil("the member in its turn") { member.hasEntered }
        let groupTask = group.run(turns, shop, exclusive: true)
        try await waitUntil("the group asking for its turn") { await turns.waiting(shop) == 1 }
        let laterTask = later.run(turns, shop, exclusive: false)
        try await waitUntil("a later member queued behind the group") { await turns.waiting(shop) == 2 }
        #expect(!group.hasEntered && !later.hasEntered)

        member.open()
        await memberTask.value
        try await waitUntil("the group in its turn") { group.hasEntered }
        #expect(!later.hasEntered, "the member that asked after the group waits for it")

        group.open()
        await groupTask.value
        try await waitUntil("the later member in its turn") { later.hasEntered }
        later.open()
        await laterTask.value
        #expect(await turns.waiting(shop) == 0)
    }

    @Test func otherGroupsAreNotHeld() async throws {
        let turns = GroupTurns()
        let group = Held(), other = Held()
        let groupTask = group.run(turns, shop, exclusive: true)
        try await waitUntil("shop in its turn") { group.hasEntered }
        let otherTask = other.run(turns, ObjectKey(namespace: "prod", name: "cart"), exclusive: false)
        try await waitUntil("a member of another group in its turn") { other.hasEntered }
        other.open()
        group.open()
        await otherTask.value
        await groupTask.value
    }

    @Test func aFailingTurnGivesItBack() async throws {
        struct Failed: Error {}
        let turns = GroupTurns()
        await #expect(throws: Failed.self) { try await turns.run(shop, exclusive: true) { throw Failed() } }
        let member = Held()
        let task = member.run(turns, shop, exclusive: false)
        try await waitUntil("a member in its turn after the failed one") { member.hasEntered }
        member.open()
        await task.value
    }
}
