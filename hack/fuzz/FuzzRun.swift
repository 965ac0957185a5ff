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
    static let rollouts = "/apis/cutover.dev/v1alpha1/namespaces/\(namespace)/rollouts"
    private let sim: KubeSim
    private let directory: URL
    private let controllerBinary: String
    private let maxRSS: Int
    private let deadline: Double
    private let save: String?
    private var controller: ChildProcess
    private var sentinel: [String: String] = [:]
    private var sentinelStatus: JSONValue = .null
    /// The update target's resourceVersions while it is Healthy on the base spec.
    private var target: [String: String] = [:]
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
        let run: FuzzRun
        do {
            run = try FuzzRun(sim: sim, directory: directory, controllerBinary: controller, maxRSS: maxRSS, deadline: deadline, save: save)
        } catch {
            try? await sim.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        do {
            run.sentinel = try await run.startSettled("steady")
            run.sentinelStatus = (await run.get("rollouts", "steady"))?["status"] ?? .null
            run.target = try await run.startSettled("target")
        } catch {
            await run.stop()
            throw error
        }
        return run
    }

    func stop() async {
        await controller.stop()
        try? await sim.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Settled Rollouts: the sentinel and the update target

    /// The base Rollout named `name`, without notifications: their deliveries to a closed port
    /// would keep writing its status, and a settled Rollout must stay still.
    private static func settledBase(_ name: String) -> JSONValue {
        var rollout = renamed(BaseRollout.value, to: name)
        rollout["spec"]?["notifications"] = nil
        return rollout
    }

    /// Creates Rollout `name` from ``settledBase(_:)`` and waits until it is Healthy and nothing
    /// of it changed for 3 s; returns the resourceVersions of it, its Services and its Deployments.
    private func startSettled(_ name: String) async throws -> [String: String] {
        let rollout = Self.settledBase(name)
        try await createServices(of: rollout, reserved: true)
        let (code, body) = await sim.request("POST", Self.rollouts, body: rollout)
        guard code == 201 else { throw FuzzError("Rollout \(name) was refused (\(code)): \(body["message"] ?? .null)") }
        return try await settle(name)
    }

    /// Waits until `name` is Healthy for its generation and unchanged for 3 s.
    private func settle(_ name: String, within seconds: Double = 60) async throws -> [String: String] {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            let current = await get("rollouts", name)
            if current?[path: ["status", "phase"]] == "Healthy",
                current?[path: ["status", "observedGeneration"]] == current?[path: ["metadata", "generation"]]
            {
                let versions = await versions(of: name)
                try await Task.sleep(for: .seconds(3))
                if await self.versions(of: name) == versions { return versions }
                continue
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = (await get("rollouts", name))?["status"].map(JSONWriter.string) ?? "none"
        throw FuzzError("Rollout \(name) did not settle Healthy within \(Int(seconds)) s: status \(status); controller log:\n\(controller.logTail())")
    }

    /// The resourceVersions of Rollout `name`, its Services and its Deployments.
    private func versions(of name: String) async -> [String: String] {
        var versions: [String: String] = [:]
        for (resource, object) in [("rollouts", name), ("services", name), ("services", "\(name)-preview")] {
            versions["\(resource)/\(object)"] = (await get(resource, object))?[path: ["metadata", "resourceVersion"]]?.stringValue ?? "missing"
        }
        for deployment in await deployments(of: name) {
            versions["deployments/\(deployment.name)"] = deployment.resourceVersion
        }
        return versions
    }

    /// What moved between two ``versions(of:)``.
    private static func moved(_ before: [String: String], _ after: [String: String], except skipped: String? = nil) -> [String] {
        Set(before.keys).union(after.keys).filter { $0 != skipped && before[$0] != after[$0] }.sorted()
            .map { "\($0) \(before[$0] ?? "none") → \(after[$0] ?? "gone")" }
    }

    // MARK: Running inputs

    func run(_ cases: [FuzzCase], replay: (Int) -> String) async throws -> Summary {
        for (number, input) in cases.enumerated() {
            let name = "fz-\(number)"
            var problems: [String] = []
            let outcome = input.asUpdate
                ? try await checkUpdate(input, problems: &problems) : try await check(input, name: name, problems: &problems)
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
            let now = await versions(of: "steady")
            if now != sentinel {
                let status = (await get("rollouts", "steady"))?["status"] ?? .null
                let changed = Set((status.objectValue ?? [:]).keys).union((sentinelStatus.objectValue ?? [:]).keys)
                    .filter { status[$0] != sentinelStatus[$0] }.sorted()
                problems.append("the sentinel moved: \(Self.moved(sentinel, now)); status fields changed: \(changed.map { "\($0): \(status[$0].map(JSONWriter.string) ?? "gone")" })")
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
            if !input.asUpdate { await delete(name) }
        }
        return summary
    }

    /// Applies one input and checks what the controller made of it; returns the outcome's name.
    private func check(_ input: FuzzCase, name: String, problems: inout [String]) async throws -> String {
        let rollout = Self.renamed(input.rollout, to: name)
        let services = try await createServices(of: rollout)
        let (code, created) = await sim.request("POST", Self.rollouts, body: rollout)
        guard code == 201 else {
            if (created["message"]?.stringValue ?? "").isEmpty { problems.append("refused with \(code) and no message") }
            return "refused \(code) \(created["reason"]?.stringValue ?? "-")"
        }
        guard let current = try await observed(name, generation: created[path: ["metadata", "generation"]]?.intValue, problems: &problems) else {
            return "unobserved"
        }
        guard Self.isInvalidSpec(current, problems: &problems) else { return "accepted" }
        let made = await deployments(of: name)
        if !made.isEmpty { problems.append("an invalid Rollout has Deployments: \(made.map(\.name))") }
        for (service, version) in services {
            let now = (await get("services", service))?[path: ["metadata", "resourceVersion"]]?.stringValue
            if now != version { problems.append("an invalid Rollout's Service \(service) changed (\(version) → \(now ?? "gone"))") }
        }
        return "InvalidSpec"
    }

    /// Applies one input as an edit of the Healthy Rollout `target`. Refused or invalid, nothing
    /// of it may move; fixed again (the base spec back), it must be Healthy with nothing moved.
    private func checkUpdate(_ input: FuzzCase, problems: inout [String]) async throws -> String {
        guard let current = await get("rollouts", "target") else { throw FuzzError("the update target is gone") }
        var body = Self.renamed(input.rollout, to: "target")
        body["metadata"]?["resourceVersion"] = current[path: ["metadata", "resourceVersion"]]
        let (code, updated) = await sim.request("PUT", Self.rollouts + "/target", body: body)
        guard code == 200 else {
            if (updated["message"]?.stringValue ?? "").isEmpty { problems.append("an update was refused with \(code) and no message") }
            let moved = Self.moved(target, await versions(of: "target"))
            if !moved.isEmpty { problems.append("a refused update moved \(moved)") }
            return "update refused \(code) \(updated["reason"]?.stringValue ?? "-")"
        }
        guard let seen = try await observed("target", generation: updated[path: ["metadata", "generation"]]?.intValue, problems: &problems) else {
            try await resetTarget()
            return "update unobserved"
        }
        guard Self.isInvalidSpec(seen, problems: &problems) else {
            // A valid edit starts a release or changes the target: start it again from the base.
            try await resetTarget()
            return "update accepted"
        }
        let moved = Self.moved(target, await versions(of: "target"), except: "rollouts/target")
        if !moved.isEmpty { problems.append("an invalid update moved \(moved)") }
        // Fixed again: the same revision as before, so the controller resumes and moves nothing.
        guard let now = await get("rollouts", "target") else { throw FuzzError("the update target is gone") }
        var fixed = Self.settledBase("target")
        fixed["metadata"]?["resourceVersion"] = now[path: ["metadata", "resourceVersion"]]
        let (fixCode, fixBody) = await sim.request("PUT", Self.rollouts + "/target", body: fixed)
        guard fixCode == 200 else { throw FuzzError("restoring the target's spec was refused (\(fixCode)): \(fixBody["message"] ?? .null)") }
        let settled = try await settle("target", within: deadline)
        let afterFix = Self.moved(target, settled, except: "rollouts/target")
        if !afterFix.isEmpty { problems.append("fixing the spec again moved \(afterFix)") }
        target = settled
        return "update InvalidSpec"
    }

    /// Deletes the target (its Deployments go with it) and creates it again from the base.
    private func resetTarget() async throws {
        await delete("target")
        let until = Date().addingTimeInterval(30)
        while true {
            let rolloutGone = await get("rollouts", "target") == nil
            if rolloutGone, await deployments(of: "target").isEmpty { break }
            guard Date() < until else {
                let left = await get("rollouts", "target") == nil ? "" : "the Rollout, "
                throw FuzzError("the update target was deleted but \(left)Deployments \(await deployments(of: "target").map(\.name)) remain after 30 s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        target = try await startSettled("target")
    }

    /// Whether an Event with `reason` is recorded on Rollout `name`.
    private func hasEvent(on name: String, reason: String) async -> Bool {
        let (_, body) = await sim.request(
            "GET", "/api/v1/namespaces/\(Self.namespace)/events?fieldSelector=involvedObject.name%3D\(name)")
        return (body["items"]?.arrayValue ?? []).contains { $0["reason"]?.stringValue == reason }
    }

    /// Waits until the controller reported on `generation` of `name`; nil if not in time (a
    /// problem unless a StatusNotWritten Event explains it).
    private func observed(_ name: String, generation: Int64?, problems: inout [String]) async throws -> JSONValue? {
        let until = Date().addingTimeInterval(deadline)
        while true {
            if let current = await get("rollouts", name), generation != nil,
                current[path: ["status", "observedGeneration"]]?.intValue == generation
            {
                return current
            }
            guard Date() < until, controller.isRunning else {
                // A Rollout too large for its status to fit in etcd can only be told by an Event.
                if controller.isRunning, await !hasEvent(on: name, reason: "StatusNotWritten") {
                    problems.append(
                        "no status for generation \(generation ?? 0) within \(deadline) s and no StatusNotWritten Event; "
                            + "the controller's log ends:\n\(controller.logTail(8))")
                }
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether `rollout` is InvalidSpec; if so, its condition must name the field.
    private static func isInvalidSpec(_ rollout: JSONValue, problems: inout [String]) -> Bool {
        guard rollout[path: ["status", "phase"]] == "InvalidSpec" else { return false }
        let condition = rollout[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "InvalidSpec" }
        let message = condition?["message"]?.stringValue ?? ""
        if condition?["status"] != "True" || !(message.contains("spec.") || message.contains("metadata.")) {
            problems.append("InvalidSpec without a condition naming the field: \(condition.map(JSONWriter.string) ?? "none")")
        }
        return true
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
    private func createServices(of rollout: JSONValue, reserved: Bool = false) async throws -> [String: String] {
        var versions: [String: String] = [:]
        let app = rollout[path: ["metadata", "name"]]?.stringValue ?? "fz"
        for key in ["active", "preview"] {
            guard let service = rollout[path: ["spec", "services", key]]?.stringValue, reserved || !(service.hasPrefix("steady") || service.hasPrefix("target")) else { continue }
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
        // Not `code == 200 ? body : nil`: JSONValue is ExpressibleByNilLiteral, so that nil is `.null`.
        guard code == 200 else { return nil }
        return body
    }

    private func deployments(of rollout: String) async -> [(name: String, resourceVersion: String)] {
        let (_, body) = await sim.request("GET", "/apis/apps/v1/namespaces/\(Self.namespace)/deployments?labelSelector=cutover.dev%2Frollout%3D\(rollout)")
        return (body["items"]?.arrayValue ?? []).map {
            ($0[path: ["metadata", "name"]]?.stringValue ?? "", $0[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
        }
    }

    private func delete(_ name: String) async {
        _ = await sim.request("DELETE", Self.rollouts + "/\(name)")
        for service in [name, "\(name)-preview"] {
            _ = await sim.request("DELETE", "/api/v1/namespaces/\(Self.namespace)/services/\(service)")
        }
    }
}

extension ChildProcess {
    /// The controller, with KubeSim's kubeconfig, its output appended to `controller.log`.
    static func controller(binary: String, directory: URL) throws -> ChildProcess {
        try ControllerProcess.start(
            "controller", binary: binary, kubeconfig: directory.appendingPathComponent("kubeconfig"), logLevel: "warning", in: directory)
    }
}

/// Why the run could not start.
struct FuzzError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
