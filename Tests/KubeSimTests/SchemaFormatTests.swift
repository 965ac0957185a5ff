import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// What a real kube-apiserver (v1.36) checks beyond types (issue 16): int32/int64 formats,
/// `date-time` strings (on status too), the scale subresource's paths, and the order causes
/// come in (the validators' order, not alphabetical).
@Suite("CRD schema formats, scale paths and cause order")
struct SchemaFormatTests {
    static let rollouts = "/apis/cutover.dev/v1alpha1/namespaces/default/rollouts"

    static func rollout(_ name: String, replicas: JSONValue) -> JSONValue {
        [
            "apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": replicas, "selector": ["matchLabels": ["app": "web"]],
                "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx"]]]],
                "services": ["active": "web"],
            ],
        ]
    }

    func withRollouts(_ body: (KubeSim, TestClient) async throws -> Void) async throws {
        let path = try #require(Fixtures.rolloutCRDPath, "crds/rollouts.cutover.dev.yaml is missing")
        try await withSim { sim, client in
            let directory = TestClient.temporaryPath("rollout-crd")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: directory + "/rollouts.yaml")
            try await sim.loadCRDs(fromDirectory: directory)
            try await body(sim, client)
        }
    }

    @Test("replicas 3000000000 against int32: the range check (on the field <nil>) and the scale path's limit")
    func int32Overflow() async throws {
        try await withRollouts { _, client in
            let response = try await client.post(Self.rollouts, Self.rollout("big", replicas: 3_000_000_000))
            #expect(response.status == 422)
            #expect(response.json.at("details.causes") == [
                ["reason": "FieldValueInvalid", "field": "<nil>", "message": "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas"],
                ["reason": "FieldValueInvalid", "field": ".spec.replicas", "message": "Invalid value: 3000000000: should be less than or equal to 2147483647"],
            ])
            #expect(response.json["message"] == "Rollout.cutover.dev \"big\" is invalid: [<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas, .spec.replicas: Invalid value: 3000000000: should be less than or equal to 2147483647]")
        }
    }

    @Test("a float for an int32: the format's type error, the range check, and the scale path's accessor error")
    func float() async throws {
        try await withRollouts { _, client in
            let response = try await client.post(Self.rollouts, Self.rollout("half", replicas: 1.5))
            #expect(response.status == 422)
            #expect(response.json.at("details.causes") == [
                ["reason": "FieldValueTypeInvalid", "field": "spec.replicas", "message": "Invalid value: \"float64\": spec.replicas in body must be of type int32: \"float64\""],
                ["reason": "FieldValueInvalid", "field": "<nil>", "message": "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas"],
                ["reason": "FieldValueInvalid", "field": ".spec.replicas", "message": "Invalid value: 0: .spec.replicas accessor error: 1.5 is of the type float64, expected int64"],
            ])
        }
    }

    @Test("-1 replicas: the schema's minimum, then the scale path's non-negative rule")
    func negative() async throws {
        try await withRollouts { _, client in
            let response = try await client.post(Self.rollouts, Self.rollout("neg", replicas: -1))
            #expect(response.json.at("details.causes") == [
                ["reason": "FieldValueInvalid", "field": "spec.replicas", "message": "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"],
                ["reason": "FieldValueInvalid", "field": ".spec.replicas", "message": "Invalid value: -1: should be a non-negative integer"],
            ])
        }
    }

    @Test("a status write with a date-time that is not one is refused; a real one is kept")
    func dateTimeOnStatus() async throws {
        try await withRollouts { _, client in
            #expect(try await client.post(Self.rollouts, Self.rollout("payment", replicas: 2)).status == 201)
            let bad = try await client.patch(Self.rollouts + "/payment/status", #"{"status":{"stepStartedAt":"yesterday"}}"#)
            #expect(bad.status == 422)
            #expect(bad.json["message"] == "Rollout.cutover.dev \"payment\" is invalid: status.stepStartedAt: Invalid value: \"yesterday\": status.stepStartedAt in body must be of type date-time: \"yesterday\"")
            #expect(bad.json.at("details.causes")?.arrayValue?.first?["reason"] == "FieldValueTypeInvalid")
            let good = try await client.patch(Self.rollouts + "/payment/status", #"{"status":{"stepStartedAt":"2026-11-22T01:10:36Z","replicas":2}}"#)
            #expect(good.status == 200, "\(good.json)")
            #expect(good.json.at("status.stepStartedAt") == "2026-11-22T01:10:36Z")
            // The status path of the scale subresource is checked on status writes.
            let negative = try await client.patch(Self.rollouts + "/payment/status", #"{"status":{"replicas":-2}}"#)
            #expect(negative.json.at("details.causes")?.arrayValue?.last
                == ["reason": "FieldValueInvalid", "field": ".status.replicas", "message": "Invalid value: -2: should be a non-negative integer"])
        }
    }

    @Test("causes follow the validators: a field's own check, then the object's required fields")
    func schemaOrder() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            let body: JSONValue = ["apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["replicas": "two"]]
            let response = try await client.post(Fixtures.widgets, body)
            let fields = (response.json.at("details.causes")?.arrayValue ?? []).map { $0["field"]?.stringValue ?? "" }
            #expect(fields == ["spec.replicas", "spec.color", ".spec.replicas"])
        }
    }

    @Test("date-time and date follow strfmt", arguments: [
        ("2026-11-22T01:10:36Z", true), ("2026-11-22t01:10:36.123456+02:00", true), ("2026-02-29T00:00:00Z", false),
        ("2026-11-22 01:10:36Z", false), ("2026-11-22T24:00:00Z", false), ("yesterday", false), ("2026-11-22T01:10:36", false),
        ("2028-02-29T23:59:59-05:30", true), ("2026-13-01T00:00:00Z", false), ("2026-11-22T01:60:00Z", false),
        ("2026-11-22T01:10:36.Z", false), ("2026-11-22T01:10:36+0200", false), ("2026-11-22T01:10:36Zz", false), ("2026-1-22T01:10:36Z", false),
    ])
    func dateTimes(text: String, valid: Bool) {
        #expect(SchemaValidator.isDateTime(text) == valid)
    }
}
