import ClusterHarness
import Foundation
import KubeModels
import KubeSim

/// KubeSim in this process, the controller as a child process, the sentinel Rollout that must never
/// move, and the checks run after each input.
final class FuzzRun {
    struct Summary {
        var inputs = 0
        var crashes = 0
        var violations = 0
        var outcomes: [String: Int] = [:]
        var peakRSS = 0
    }

    static let namespace = "fuzz"
    private let sim: KubeSim
    private let directory: URL
    private let controllerBinary: String
    private let maxRSS: Int
    private let deadline: Double
    private let save: String?
    private var controller: ChildProcess
    private var sentinel: [String: String] = [:]
    private var sentinelStatus: JSONValue = .null
    private var summary = Summary()

    private init(sim: KubeSim, directory: URL, controllerBinary: String, maxRSS: Int, deadline: Double, save: String?) throws {
        self.sim = sim
        self.directory = directory
        self.controllerBinary = controllerBinary
        self.maxRSS = maxRSS
        self.deadline = deadline
        self.save = save
        controller = try ChildProcess.controller(binary: controllerBinary, directory: directory)
    }

    static func start(controller: String, crds: String, maxRSS: Int, deadline: Double, save: String?) async throws -> FuzzRun {
        var options = KubeSim.Options()
        options.crdDirectory = crds
        options.tickInterval = .milliseconds(100)
        let sim = try await KubeSim.start(options)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try sim.writeKubeconfig(to: directory.appendingPathComponent("kubeconfig").path)
        _ = await sim.request("POST", "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        _ = await sim.request("POST", "/api/v1/namespaces/\(namespace)/secrets", body: [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "fz-hooks"],
            "stringData": ["post": "http://127.0.0.1:9/post", "notify": "http://127.0.0.1:9/notify"],
        ])
        let run = try FuzzRun(sim: sim, directory: directory, controllerBinary: controller, maxRSS: maxRSS, deadline: deadline, save: save)
        try await run.startSentinel()
        return run
    }

    func stop() async {
        await controller.stop()
        try? await sim.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: The sentinel

    /// A Healthy Rollout beside the inputs: its Rollout, Services and Deployments must never change.
    private func startSentinel() async throws {
        // Without notifications: their deliveries to a closed port would keep writing its status.
        var rollout = Self.renamed(BaseRollout.value, to: "steady")
        rollout["spec"]?["notifications"] = nil
        try await createServices(of: rollout, sentinel: true)
        let (code, body) = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/\(Self.namespace)/rollouts", body: rollout)
        guard code == 201 else { throw FuzzError("the sentinel Rollout was refused (\(code)): \(body["message"] ?? .null)") }
        let until = Date().addingTimeInterval(60)
        while Date() < until {
            let current = await get("rollouts", "steady")
            if current?[path: ["status", "phase"]] == "Healthy", current?[path: ["status", "conditions"]] != nil {
                // Settled: nothing of it changed for 3 s.
                sentinel = await sentinelVersions()
                try await Task.sleep(for: .seconds(3))
                guard await sentinelVersions() == sentinel else { continue }
                sentinelStatus = (await get("rollouts", "steady"))?["status"] ?? .null
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = (await get("rollouts", "steady"))?["status"].map(JSONWriter.string) ?? "none"
        throw FuzzError("the sentinel Rollout did not become Healthy within 60 s: status \(status); controller log:\n\(controller.logTail())")
    }

    private func sentinelVersions() async -> [String: String] {
        var versions: [String: String] = [:]
        for (resource, name) in [("rollouts", "steady"), ("services", "steady"), ("services", "steady-preview")] {
            versions["\(resource)/\(name)"] = (await get(resource, name))?[path: ["metadata", "resourceVersion"]]?.stringValue ?? "missing"
        }
        for deployment in await deployments(of: "steady") {
            versions["deployments/\(deployment.name)"] = deployment.resourceVersion
        }
        return versions
    }

    // MARK: Running inputs

    func run(_ cases: [FuzzCase], replay: (Int) -> String) async throws -> Summary {
        for (number, input) in cases.enumerated() {
            let name = "fz-\(number)"
            var problems: [String] = []
            let outcome = try await check(input, name: name, problems: &problems)
            summary.inputs += 1
            summary.outcomes[outcome, default: 0] += 1
            let crashed = !controller.isRunning
            if crashed {
                summary.crashes += 1
                problems.append("the controller exited; its log ends:\n\(controller.logTail())")
                controller = try ChildProcess.controller(binary: controllerBinary, directory: directory)
            }
            let rss = controller.peakResidentBytes
            summary.peakRSS = max(summary.peakRSS, rss)
            if rss > maxRSS { problems.append("the controller's resident memory is \(rss >> 20) MiB, over \(maxRSS >> 20) MiB") }
            let now = await sentinelVersions()
            if now != sentinel {
                let status = (await get("rollouts", "steady"))?["status"] ?? .null
                let changed = Set((status.objectValue ?? [:]).keys).union((sentinelStatus.objectValue ?? [:]).keys)
                    .filter { status[$0] != sentinelStatus[$0] }.sorted()
                problems.append("the sentinel moved: \(sentinel.filter { now[$0.key] != $0.value }.map { "\($0.key) \($0.value) → \(now[$0.key] ?? "gone")" }.sorted()); status fields changed: \(changed.map { "\($0): \(status[$0].map(JSONWriter.string) ?? "gone")" })")
                sentinel = now
                sentinelStatus = status
            }
            if !problems.isEmpty {
                summary.violations += problems.count - (crashed ? 1 : 0)
                let replayHint = input.label.hasPrefix("input ") ? replay(Int(input.label.dropFirst(6)) ?? 0) : input.label
                print("fuzz: \(input.label) [\(input.mutations.joined(separator: "; "))] → \(outcome)")
                for problem in problems { print("  VIOLATION: \(problem)") }
                print("  replay: \(replayHint)")
                if let save {
                    try? FileManager.default.createDirectory(atPath: save, withIntermediateDirectories: true)
                    let file = URL(fileURLWithPath: save).appendingPathComponent("\(input.label.replacingOccurrences(of: " ", with: "-")).json")
                    try? Data(JSONWriter.bytes(input.rollout)).write(to: file)
                }
            }
            await delete(name)
        }
        return summary
    }

    /// Applies one input and checks what the controller made of it; returns the outcome's name.
    private func check(_ input: FuzzCase, name: String, problems: inout [String]) async throws -> String {
        let rollout = Self.renamed(input.rollout, to: name)
        let services = try await createServices(of: rollout)
        let (code, created) = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/\(Self.namespace)/rollouts", body: rollout)
        guard code == 201 else {
            if (created["message"]?.stringValue ?? "").isEmpty { problems.append("refused with \(code) and no message") }
            return "refused \(code) \(created["reason"]?.stringValue ?? "-")"
        }
        let generation = created[path: ["metadata", "generation"]]?.intValue
        let until = Date().addingTimeInterval(deadline)
        var current = created
        while true {
            if let read = await get("rollouts", name) { current = read }
            if current[path: ["status", "observedGeneration"]]?.intValue == generation, generation != nil { break }
            guard Date() < until, controller.isRunning else {
                if controller.isRunning {
                    problems.append("no status for generation \(generation ?? 0) within \(deadline) s; the controller's log ends:\n\(controller.logTail(8))")
                }
                return "unobserved"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let phase = current[path: ["status", "phase"]]?.stringValue ?? "-"
        guard phase == "InvalidSpec" else { return "accepted" }
        let condition = current[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "InvalidSpec" }
        let message = condition?["message"]?.stringValue ?? ""
        if condition?["status"] != "True" || !(message.contains("spec.") || message.contains("metadata.")) {
            problems.append("InvalidSpec without a condition naming the field: \(condition.map(JSONWriter.string) ?? "none")")
        }
        let made = await deployments(of: name)
        if !made.isEmpty { problems.append("an invalid Rollout has Deployments: \(made.map(\.name))") }
        for (service, version) in services {
            let now = (await get("services", service))?[path: ["metadata", "resourceVersion"]]?.stringValue
            if now != version { problems.append("an invalid Rollout's Service \(service) changed (\(version) → \(now ?? "gone"))") }
        }
        return "InvalidSpec"
    }

    // MARK: Helpers

    /// `document` with the placeholder names `fz` and `fz-preview` replaced by `name`'s.
    static func renamed(_ document: JSONValue, to name: String) -> JSONValue {
        var result = document
        result["metadata"]?["name"] = .string(name)
        result["metadata"]?["namespace"] = nil
        for key in ["active", "preview"] {
            if let service = result[path: ["spec", "services", key]]?.stringValue, service.hasPrefix("fz") {
                result["spec"]?["services"]?[key] = .string(name + service.dropFirst(2))
            }
        }
        if result[path: ["spec", "selector", "matchLabels", "app"]] == "fz" { result["spec"]?["selector"]?["matchLabels"]?["app"] = .string(name) }
        if result[path: ["spec", "template", "metadata", "labels", "app"]] == "fz" {
            result["spec"]?["template"]?["metadata"]?["labels"]?["app"] = .string(name)
        }
        return result
    }

    /// Creates the Services the Rollout names that do not exist yet; returns their resourceVersions.
    @discardableResult
    private func createServices(of rollout: JSONValue, sentinel: Bool = false) async throws -> [String: String] {
        var versions: [String: String] = [:]
        let app = rollout[path: ["metadata", "name"]]?.stringValue ?? "fz"
        for key in ["active", "preview"] {
            guard let service = rollout[path: ["spec", "services", key]]?.stringValue, sentinel || !service.hasPrefix("steady") else { continue }
            let (code, body) = await sim.request("POST", "/api/v1/namespaces/\(Self.namespace)/services", body: [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(service)],
                "spec": ["selector": ["app": .string(app)], "ports": [["name": "http", "port": 80, "targetPort": 8080]]],
            ])
            if code == 201, let version = body[path: ["metadata", "resourceVersion"]]?.stringValue { versions[service] = version }
        }
        return versions
    }

    private func get(_ resource: String, _ name: String) async -> JSONValue? {
        let group = resource == "rollouts" ? "/apis/cutover.dev/v1alpha1" : resource == "deployments" ? "/apis/apps/v1" : "/api/v1"
        let (code, body) = await sim.request("GET", "\(group)/namespaces/\(Self.namespace)/\(resource)/\(name)")
        return code == 200 ? body : nil
    }

    private func deployments(of rollout: String) async -> [(name: String, resourceVersion: String)] {
        let (_, body) = await sim.request("GET", "/apis/apps/v1/namespaces/\(Self.namespace)/deployments?labelSelector=cutover.dev%2Frollout%3D\(rollout)")
        return (body["items"]?.arrayValue ?? []).map {
            ($0[path: ["metadata", "name"]]?.stringValue ?? "", $0[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
        }
    }

    private func delete(_ name: String) async {
        _ = await sim.request("DELETE", "/apis/cutover.dev/v1alpha1/namespaces/\(Self.namespace)/rollouts/\(name)")
        for service in [name, "\(name)-preview"] {
            _ = await sim.request("DELETE", "/api/v1/namespaces/\(Self.namespace)/services/\(service)")
        }
    }
}

extension ChildProcess {
    /// The controller, with KubeSim's kubeconfig, its output appended to `controller.log`.
    static func controller(binary: String, directory: URL) throws -> ChildProcess {
        try start(
            name: "controller", executable: binary,
            arguments: [
                "--kubeconfig", directory.appendingPathComponent("kubeconfig").path, "--health-address", "127.0.0.1:0",
                "--metrics-address", "127.0.0.1:0", "--leader-elect", "off", "--log-level", "warning",
            ],
            logFile: directory.appendingPathComponent("controller.log"))
    }
}

/// Why the run could not start.
struct FuzzError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
