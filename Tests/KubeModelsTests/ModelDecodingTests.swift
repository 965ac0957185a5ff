import Foundation
import Testing
@testable import KubeModels

/// Golden JSON of real API objects (shapes from the Kubernetes API reference) decode into the
/// models, and free-form parts survive a round trip unchanged.
@Suite struct ModelDecodingTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    @Test func deploymentWithStatusAndConditions() throws {
        let deployment = try JSONDecoder().decode(Deployment.self, from: Self.fixture("deployment"))
        #expect(deployment.metadata.name == "payment-7c9f6d4b")
        #expect(deployment.metadata.generation == 4)
        #expect(deployment.metadata.controllerReference?.kind == "Rollout")
        #expect(deployment.spec?.replicas == 3)
        #expect(deployment.spec?.selector.matchLabels?["cutover.dev/revision"] == "7c9f6d4b")
        #expect(deployment.spec?.template.spec?["containers"]?.arrayValue?.first?["image"]?.stringValue
            == "registry.example.com/payment:1.4.2")
        #expect(deployment.status?.availableReplicas == 3)
        #expect(deployment.status?.conditions?.map(\.reason) == ["MinimumReplicasAvailable", "NewReplicaSetAvailable"])
        #expect(deployment.status?.conditions?.first?.lastTransitionTime?.description == "2026-11-20T09:14:41Z")
        #expect(deployment.metadata.managedFields?.first?.fieldsV1 == ["f:spec": ["f:replicas": [:]]])
    }

    @Test func serviceSelectorAndPorts() throws {
        let service = try JSONDecoder().decode(Service.self, from: Self.fixture("service"))
        #expect(service.spec?.selector == ["app": "payment", "cutover.dev/revision": "7c9f6d4b"])
        #expect(service.spec?.ports?.first?.targetPort == .int(8080))
    }

    @Test func leaseMicroTimeKeepsSixDigits() throws {
        let lease = try JSONDecoder().decode(Lease.self, from: Self.fixture("lease"))
        #expect(lease.spec?.leaseDurationSeconds == 15)
        #expect(lease.spec?.acquireTime?.description == "2026-11-21T22:40:12.118273Z")
        let encoded = String(decoding: try JSONEncoder().encode(lease), as: UTF8.self)
        #expect(encoded.contains("2026-11-21T22:46:00.000000Z"))
    }

    @Test func eventDecodes() throws {
        let event = try JSONDecoder().decode(Event.self, from: Self.fixture("event"))
        #expect(event.involvedObject.kind == "Rollout")
        #expect(event.count == 3)
        #expect(event.type == "Warning")
        #expect(event.eventTime == nil)
    }

    @Test func statusErrorsCarryCausesAndRetryAfter() throws {
        let invalid = try JSONDecoder().decode(Status.self, from: Self.fixture("status-invalid"))
        #expect(invalid.code == 422)
        #expect(invalid.details?.causes?.first?.field == "spec.replicas")
        let tooMany = try JSONDecoder().decode(Status.self, from: Self.fixture("status-toomany"))
        #expect(tooMany.details?.retryAfterSeconds == 1)
    }

    @Test(arguments: ["deployment", "service", "lease", "event"])
    func unknownFieldsSurviveADynamicRoundTrip(name: String) throws {
        let original = try JSONDecoder().decode(JSONValue.self, from: Self.fixture(name))
        let object = try JSONDecoder().decode(DynamicObject.self, from: Self.fixture(name))
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(object))
        #expect(again == original)
    }

    @Test func canonicalJSONSortsKeysAndIsStable() throws {
        let value: JSONValue = ["b": [1, 2.5, "x\n\"y\""], "a": ["z": nil, "é": true]]
        #expect(value.canonicalJSON == #"{"a":{"z":null,"é":true},"b":[1,2.5,"x\n\"y\""]}"#)
        let reparsed = try JSONDecoder().decode(JSONValue.self, from: Data(value.canonicalJSON.utf8))
        #expect(reparsed.canonicalJSON == value.canonicalJSON)
    }

    @Test(arguments: [
        (["app": "web", "tier": "fe"], true),
        (["app": "web"], false),
        (["app": "db", "tier": "fe"], false),
    ])
    func labelSelectorMatching(labels: [String: String], expected: Bool) {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "In", values: ["fe", "be"])])
        #expect(selector.matches(labels) == expected)
        #expect(selector.queryString == "app=web,tier in (be,fe)")
    }
}
