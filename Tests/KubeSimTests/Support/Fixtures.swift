import Foundation
import KubeModels
@testable import KubeSim

/// Objects the tests create, and the paths they live at.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let widgetCRDPath = directory + "/widgets.test.kubesim.dev.yaml"
    static let widgets = "/apis/test.kubesim.dev/v1/namespaces/default/widgets"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let configmaps = "/api/v1/namespaces/default/configmaps"

    /// The repository's Rollout CRD, when it exists on this branch.
    static var rolloutCRDPath: String? {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("crds/rollouts.cutover.dev.yaml").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func widgetCRD() throws -> JSONValue {
        try YAMLBridge.parse(String(contentsOfFile: widgetCRDPath, encoding: .utf8))
    }

    static func widget(_ name: String, replicas: Int64 = 2, color: String = "red", extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["replicas": .int(replicas), "color": .string(color)]
        for (key, value) in extra { spec[key] = value }
        return ["apiVersion": "test.kubesim.dev/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    static func deployment(_ name: String, replicas: Int64 = 1, app: String? = nil, owner: JSONValue? = nil) -> JSONValue {
        let labels: JSONValue = ["app": .string(app ?? name)]
        var metadata: [String: JSONValue] = ["name": .string(name), "labels": labels]
        if let owner { metadata["ownerReferences"] = [owner] }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": .object(metadata),
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": ["containers": [["name": "web", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]],
                ],
            ],
        ]
    }

    static func configMap(_ name: String, labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))],
            "data": .object(data.mapValues(JSONValue.string)),
        ]
    }

    /// Installs the Widget CRD into a running simulator.
    static func installWidgets(_ sim: KubeSim) async throws {
        let directory = TestClient.temporaryPath("crds")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: widgetCRDPath, toPath: directory + "/widgets.yaml")
        try await sim.loadCRDs(fromDirectory: directory)
    }
}

extension JSONValue {
    /// Shorthand for tests: `object["metadata.name"]`-style dotted access.
    func at(_ dotted: String) -> JSONValue? { self[path: dotted.split(separator: ".").map(String.init)] }
}
