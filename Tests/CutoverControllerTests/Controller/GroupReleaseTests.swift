import ClusterHarness
import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing

/// A ReleaseGroup of three members driven by both reconcilers in-process against KubeSim: the
/// wiring (shared caches, triggers both ways, status before selectors). The planners' every case
/// is in CutoverTests; the 15-member proof with Prometheus and SIGKILLs is in EndToEndTests.
@Suite("Release groups driven by the controller", .serialized, .timeLimit(.minutes(2)))
struct GroupReleaseTests {
    static let namespace = "default"
    static let members = ["db", "pay", "web"]

    static func member(_ name: String, image: String) throws -> Rollout {
        let json = """
            {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
             "metadata": {"name": "\(name)", "namespace": "\(namespace)", "labels": {"cutover.dev/group": "shop"}},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "\(name)"}},
               "template": {"metadata": {"labels": {"app": "\(name)"}, "annotations": {"sim.cutover.dev/ready-after": "200ms"}},
                            "spec": {"containers": [{"name": "app", "image": "\(image)"}]}},
               "services": {"active": "\(name)"},
               "strategy": {"canary": {"steps": [{"weight": 50, "pause": "1s"}]}, "holdWindow": "1s"}}}
            """
        return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
    }

    /// The group and its members, first revisions Healthy.
    static func setUp(_ client: KubeClient, group spec: ReleaseGroupSpec = ReleaseGroupSpec()) async throws {
        _ = try await client.create(ReleaseGroup(metadata: ObjectMeta(name: "shop", namespace: namespace), spec: spec))
        for name in members {
            _ = try await client.create(
                Service(
                    metadata: ObjectMeta(name: name, namespace: namespace),
                    spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", port: 80)])))
            _ = try await client.create(try member(name, image: "\(name):1"))
        }
        for name in members { _ = try await waitFor(client, name, "Healthy") { $0.status?.phase == .healthy } }
    }

    static func release(_ client: KubeClient, image: String) async throws {
        for name in members {
            let patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string("\(name):\(image)")]]]]]]
            _ = try await client.patch(Rollout.self, name: name, namespace: namespace, patch: .merge(patch))
        }
    }

    @discardableResult
    static func waitFor(_ client: KubeClient, _ name: String, _ what: String, _ done: @escaping (Rollout) -> Bool) async throws -> Rollout {
        try await eventually("\(name) to be \(what)", timeout: .seconds(30)) {
            let rollout = try await client.get(Rollout.self, name: name, namespace: namespace)
            return (done(rollout) ? rollout : nil, "phase \(rollout.status?.phase?.rawValue ?? "-"): \(rollout.status?.message ?? "-")")
        }
    }

    static func group(_ client: KubeClient) async throws -> ReleaseGroup {
        try await client.get(ReleaseGroup.self, name: "shop", namespace: namespace)
    }

    @Test func aGoodReleaseCutsEveryMemberOverTogether() async throws {
        try await withController { _, client in
            try await Self.setUp(client)
            try await Self.release(client, image: "2")
            let completed = try await eventually("the group to complete", timeout: .seconds(40)) {
                let group = try await Self.group(client)
                // The first deploy's completion reads the same until the group sees the release start.
                let done = group.status?.conditions?.first { $0.type == "Completed" }?.status == "True" && group.status?.release != nil
                return (done ? group : nil, "\(group.status?.phase?.rawValue ?? "-"): \(group.status?.message ?? "-")")
            }
            let release = try #require(completed.status?.release)
            #expect(release.members.map(\.name) == Self.members)
            #expect(Set(release.members.compactMap(\.cutoverAt)).count == 1, "one cutover for all three")
            for name in Self.members {
                let rollout = try await Self.waitFor(client, name, "Healthy on its new revision") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == release.members.first { $0.name == name }?.revision
                }
                let service = try await client.get(Service.self, name: name, namespace: Self.namespace)
                #expect(service.spec?.selector?[CutoverLabels.revision] == rollout.status?.activeRevision)
            }
            #expect(completed.status?.history?.last?.outcome == .promoted)
        }
    }

    @Test func theGroupNotifiesItsOwnEventsNamingTheGroup() async throws {
        try await WebhookFixtures.withReceiver { receiver in try await withController { _, client in
            _ = try await client.create(
                Secret(
                    metadata: ObjectMeta(name: "hooks", namespace: Self.namespace),
                    data: ["url": Data((receiver.baseURL + "/group").utf8).base64EncodedString()]))
            let target = NotificationTarget(name: "team", urlSecret: SecretKeyReference(name: "hooks", key: "url"))
            try await Self.setUp(client, group: ReleaseGroupSpec(notifications: [target]))
            try await Self.release(client, image: "2")
            try await eventually(within: 40, "the group's Completed event to arrive") {
                receiver.requests(to: "/group").contains { $0.json?["event"]?.stringValue == "Completed" }
            }
            let events = receiver.requests(to: "/group").compactMap(\.json)
            #expect(events.compactMap { $0["event"]?.stringValue } == ["Started", "StepReached", "CutOver", "Completed"])
            #expect(events.allSatisfy { $0["releaseGroup"]?.stringValue == "shop" && $0["rollout"] == nil })
            #expect(events.first?["message"]?.stringValue?.hasPrefix("releasing 3 members: db=") == true)
            try await eventually(within: 10, "the group's outbox to empty") {
                try await Self.group(client).status?.notifications?.pending.isEmpty ?? true
            }
        } }
    }

    @Test func anAbortedMemberRevertsTheWholeGroup() async throws {
        try await withController { _, client in
            try await Self.setUp(client)
            let blues = try await Self.members.asyncMap { try await client.get(Rollout.self, name: $0, namespace: Self.namespace).status?.activeRevision }
            try await Self.release(client, image: "2")
            try await Self.waitFor(client, "pay", "in its canary step") { $0.status?.phase == .canary }
            _ = try await client.patch(
                Rollout.self, name: "pay", namespace: Self.namespace, patch: .merge(["metadata": ["annotations": [CutoverLabels.abort: "now"]]]))
            let group = try await eventually("the group to roll back", timeout: .seconds(20)) {
                let group = try await Self.group(client)
                return (group.status?.phase == .rolledBack ? group : nil, group.status?.message ?? "-")
            }
            #expect(group.status?.abort?.member == "pay")
            #expect(group.status?.abort?.reason == "Aborted")
            for (name, blue) in zip(Self.members, blues) {
                let rollout = try await Self.waitFor(client, name, "RolledBack") { $0.status?.phase == .rolledBack }
                #expect(rollout.status?.abort?.reason == (name == "pay" ? "Aborted" : "GroupReverted"))
                let service = try await client.get(Service.self, name: name, namespace: Self.namespace)
                #expect(service.spec?.selector?[CutoverLabels.revision] == blue)
            }
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
