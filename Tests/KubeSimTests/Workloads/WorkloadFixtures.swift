import KubeModels

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Simulated time for the workload tests, so they never read a clock.
enum SimClock {
    /// A fixed start of simulated time.
    static let epoch = Date(timeIntervalSince1970: 1_790_000_000)

    /// `seconds` after ``epoch``.
    static func at(_ seconds: TimeInterval) -> Date { epoch.addingTimeInterval(seconds) }
}

/// Stored objects as the API server would hold them, for the workload tests.
enum Given {
    /// A stored Deployment as the API server would hold it.
    static func deployment(
        _ name: String, namespace: String = "default", replicas: Int64 = 3, generation: Int64 = 1,
        labels: [String: String]? = nil, annotations: [String: String] = [:], image: String = "app:1",
        minReadySeconds: Int64? = nil, progressDeadlineSeconds: Int64? = nil, strategy: JSONValue? = nil
    ) -> JSONValue {
        let podLabels = labels ?? ["app": name]
        var spec: JSONValue = [
            "replicas": .int(replicas),
            "selector": ["matchLabels": JSONValue(simStringMap: podLabels)],
            "template": [
                "metadata": ["labels": JSONValue(simStringMap: podLabels), "annotations": JSONValue(simStringMap: annotations)],
                "spec": ["containers": [["name": "app", "image": .string(image), "ports": [["containerPort": 8080]]]]],
            ],
        ]
        if let minReadySeconds { spec["minReadySeconds"] = .int(minReadySeconds) }
        if let progressDeadlineSeconds { spec["progressDeadlineSeconds"] = .int(progressDeadlineSeconds) }
        if let strategy { spec["strategy"] = strategy }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"),
                "generation": .int(generation),
            ],
            "spec": spec,
        ]
    }

    /// A stored batch/v1 Job whose pods run `runFor` and exit with `exitCodes`, printing `log`.
    static func job(
        _ name: String, namespace: String = "default", runFor: String = "1s", exitCodes: String = "0", log: String = "",
        completions: Int64? = nil, parallelism: Int64? = nil, backoffLimit: Int64? = nil, activeDeadlineSeconds: Int64? = nil
    ) -> JSONValue {
        var spec: JSONValue = [
            "template": [
                "metadata": [
                    "labels": ["app": "migrate"],
                    "annotations": JSONValue(simStringMap: [SimAnnotations.runFor: runFor, SimAnnotations.exitCode: exitCodes, SimAnnotations.log: log]),
                ],
                "spec": ["restartPolicy": "Never", "containers": [["name": "migrate", "image": "migrate:1"]]],
            ]
        ]
        if let completions { spec["completions"] = .int(completions) }
        if let parallelism { spec["parallelism"] = .int(parallelism) }
        if let backoffLimit { spec["backoffLimit"] = .int(backoffLimit) }
        if let activeDeadlineSeconds { spec["activeDeadlineSeconds"] = .int(activeDeadlineSeconds) }
        return [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)")],
            "spec": spec,
        ]
    }
}

/// A stand-in for the API server's store that applies ``SimulatedWrite``s the way the server
/// does: creates get a creationTimestamp (whole seconds), status writes replace `status`.
struct WorkloadTestStore {
    var deployments: [String: JSONValue] = [:]
    var jobs: [String: JSONValue] = [:]
    var pods: [String: JSONValue] = [:]
    /// Drop `status` on pod create, as a real server does for objects with a status subresource.
    var resetsStatusOnCreate = false
    /// Every write applied, in order.
    var log: [SimulatedWrite] = []

    mutating func put(_ deployment: JSONValue) {
        deployments["\(deployment.simNamespace)/\(deployment.simName)"] = deployment
    }

    var deploymentList: [JSONValue] { Array(deployments.values) }
    var podList: [JSONValue] { Array(pods.values) }

    func deployment(_ name: String, namespace: String = "default") -> JSONValue {
        deployments["\(namespace)/\(name)"] ?? nil
    }

    func status(of name: String, namespace: String = "default") -> JSONValue {
        deployment(name, namespace: namespace)["status"] ?? [:]
    }

    func count(_ key: String, of name: String) -> Int64 { status(of: name)[key]?.intValue ?? 0 }

    func condition(_ type: String, of name: String) -> JSONValue? {
        status(of: name)["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    func pods(of name: String) -> [JSONValue] {
        pods.values.filter { $0[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["name"]?.stringValue == name }
            .sorted { $0.simName < $1.simName }
    }

    mutating func apply(_ writes: [SimulatedWrite], now: Date) {
        for write in writes {
            log.append(write)
            switch write {
            case .createPod(let namespace, var object):
                object[setting: ["metadata", "creationTimestamp"]] = .string(Timestamp(now).description)
                if resetsStatusOnCreate { object["status"] = ["phase": "Pending"] }
                pods["\(namespace)/\(object.simName)"] = object
            case .deletePod(let namespace, let name):
                pods["\(namespace)/\(name)"] = nil
            case .updatePodStatus(let namespace, let name, let status):
                pods["\(namespace)/\(name)"]?["status"] = status
            case .updateDeploymentStatus(let namespace, let name, let status):
                deployments["\(namespace)/\(name)"]?["status"] = status
            case .updateJobStatus(let namespace, let name, let status):
                jobs["\(namespace)/\(name)"]?["status"] = status
            }
        }
    }

    /// Runs the Job simulator at `now` and applies what it decides; returns the writes.
    @discardableResult
    mutating func reconcile(_ simulator: inout JobSimulator, at now: Date) -> [SimulatedWrite] {
        let writes = simulator.reconcile(jobs: Array(jobs.values), pods: podList, now: now)
        apply(writes, now: now)
        return writes
    }

    /// Runs the simulator at `now` and applies what it decides; returns the writes.
    @discardableResult
    mutating func reconcile(_ simulator: inout DeploymentSimulator, at now: Date) -> [SimulatedWrite] {
        let writes = simulator.reconcile(deployments: deploymentList, pods: podList, now: now)
        apply(writes, now: now)
        return writes
    }
}

extension JSONValue {
    /// Sets a member at a path of object keys, creating objects on the way.
    subscript(setting path: [String]) -> JSONValue? {
        get { self[path: path] }
        set {
            guard let first = path.first else { return }
            if path.count == 1 {
                self[first] = newValue
            } else {
                var child = self[first] ?? [:]
                child[setting: Array(path.dropFirst())] = newValue
                self[first] = child
            }
        }
    }
}
