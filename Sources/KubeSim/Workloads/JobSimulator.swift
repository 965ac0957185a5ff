import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The simulated Job controller (batch/v1): a pure function from the stored Jobs and Pods and
/// `now` to the writes that run the Job's pods and keep its status, as the real controller does
/// for `restartPolicy: Never`.
///
/// Each pod runs for ``SimAnnotations/runFor`` (default 1 s) and then exits with
/// ``SimAnnotations/exitCode`` (default 0; `"1,1,0"` gives the first attempt 1, the second 1,
/// every later one 0): 0 is `Succeeded`, anything else `Failed`. Its log is
/// ``SimAnnotations/log`` (served by the pods' `log` subresource).
///
/// Per Job:
/// - `parallelism` (default 1) pods run at once until `completions` (default 1) have succeeded;
/// - a failed pod is replaced until `failed > backoffLimit` (default 6): then the Job fails
///   (`FailureTarget` and `Failed`, reason `BackoffLimitExceeded`) and its running pods are deleted;
/// - past `activeDeadlineSeconds` from `status.startTime` the Job fails the same way, reason
///   `DeadlineExceeded`;
/// - done: `SuccessCriteriaMet` and `Complete` (reason `CompletionsReached`), `completionTime`.
///
/// Not simulated: the back-off delay before a failed pod is replaced (the real controller waits
/// 10 s, doubling), `suspend`, `ttlSecondsAfterFinished`, `podFailurePolicy`,
/// `successPolicy`, indexed completion, `restartPolicy: OnFailure` (pods are replaced, never
/// restarted), pod readiness (`status.ready` is the running count).
public struct JobSimulator: Sendable {
    private var random: SeededGenerator

    public init(seed: UInt64 = 1) {
        random = SeededGenerator(seed: seed &+ 0x4A6F_6273)
    }

    /// The writes that bring each Job's pods and status up to date at `now`; Jobs being deleted
    /// and finished Jobs' pods are left alone.
    public mutating func reconcile(jobs: [JSONValue], pods: [JSONValue], now: Date) -> [SimulatedWrite] {
        var names = Set(pods.map { "\($0.simNamespace)/\($0.simName)" })
        var byJob: [String: [JSONValue]] = [:]
        for pod in pods where !pod.simIsTerminating {
            guard let owner = pod[path: ["metadata", "ownerReferences"]]?.arrayValue?.first(where: {
                $0["controller"]?.boolValue == true && $0["kind"]?.stringValue == "Job"
            }), let uid = owner["uid"]?.stringValue else { continue }
            byJob[uid, default: []].append(pod)
        }
        var writes: [SimulatedWrite] = []
        for job in jobs.sorted(by: { ($0.simNamespace, $0.simName) < ($1.simNamespace, $1.simName) }) where !job.simIsTerminating {
            writes += reconcile(job, pods: byJob[job.simUID ?? ""] ?? [], names: &names, now: now)
        }
        return writes
    }

    static let jobNameLabel = "batch.kubernetes.io/job-name"
    static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"

    private mutating func reconcile(_ job: JSONValue, pods: [JSONValue], names: inout Set<String>, now: Date) -> [SimulatedWrite] {
        let view = JobView(job)
        let namespace = job.simNamespace
        guard !view.finished else { return [] }
        var writes: [SimulatedWrite] = []
        let running = pods.map { JobPod($0, now: now) }
        // Pods whose exit is due get their final status first; the counts below read it.
        for pod in running where !pod.statusIsCurrent {
            writes.append(.updatePodStatus(namespace: namespace, name: pod.name, status: pod.desiredStatus))
        }
        let succeeded = running.count { $0.phase == "Succeeded" }
        let failed = running.count { $0.phase == "Failed" }
        let active = running.filter { $0.phase == "Running" }
        let startTime = view.startTime ?? now
        var status = job["status"]?.objectValue ?? [:]
        status["startTime"] = .string(Timestamp(startTime).description)
        status["succeeded"] = succeeded > 0 ? .int(Int64(succeeded)) : nil
        status["failed"] = failed > 0 ? .int(Int64(failed)) : nil
        status["terminating"] = 0
        status["uncountedTerminatedPods"] = [:]

        var ending: (condition: String, reason: String, message: String)?
        if succeeded >= view.completions {
            ending = ("Complete", "CompletionsReached", "Reached expected number of succeeded pods")
        } else if failed > view.backoffLimit {
            ending = ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
        } else if let deadline = view.deadline, now >= deadline {
            ending = ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")
        }
        if let ending {
            for pod in active { writes.append(.deletePod(namespace: namespace, name: pod.name)) }
            let time = JSONValue.string(Timestamp(now).description)
            func condition(_ type: String) -> JSONValue {
                [
                    "type": .string(type), "status": "True", "reason": .string(ending.reason), "message": .string(ending.message),
                    "lastProbeTime": time, "lastTransitionTime": time,
                ]
            }
            status["conditions"] = ending.condition == "Complete"
                ? [condition("SuccessCriteriaMet"), condition("Complete")] : [condition("FailureTarget"), condition("Failed")]
            status["active"] = nil
            status["ready"] = 0
            if ending.condition == "Complete" { status["completionTime"] = time }
        } else {
            let wanted = min(view.parallelism, view.completions - succeeded)
            var creating = 0
            while active.count + creating < wanted {
                writes.append(.createPod(namespace: namespace, object: makePod(job, view: view, attempt: succeeded + failed + creating, names: &names, now: now)))
                creating += 1
            }
            let count = active.count + creating
            status["active"] = count > 0 ? .int(Int64(count)) : nil
            status["ready"] = .int(Int64(count))
        }
        if job["status"] != .object(status) {
            writes.append(.updateJobStatus(namespace: namespace, name: job.simName, status: .object(status)))
        }
        return writes
    }

    private mutating func makePod(_ job: JSONValue, view: JobView, attempt: Int, names: inout Set<String>, now: Date) -> JSONValue {
        let namespace = job.simNamespace
        var name = "\(job.simName)-" + TemplateHash.randomSuffix(using: &random)
        while names.contains("\(namespace)/\(name)") { name = "\(job.simName)-" + TemplateHash.randomSuffix(using: &random) }
        names.insert("\(namespace)/\(name)")
        let template = view.template
        var labels = template[path: ["metadata", "labels"]]?.simStringMap ?? [:]
        labels[Self.jobNameLabel] = job.simName
        labels["job-name"] = job.simName
        labels[Self.controllerUIDLabel] = job.simUID ?? ""
        labels["controller-uid"] = job.simUID ?? ""
        var annotations = template[path: ["metadata", "annotations"]]?.simStringMap ?? [:]
        annotations[SimAnnotations.createdAt] = Timestamp.micro(now).description
        annotations[SimAnnotations.attempt] = String(attempt)
        let owner: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job", "name": .string(job.simName), "uid": .string(job.simUID ?? ""),
            "controller": true, "blockOwnerDeletion": true,
        ]
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "generateName": .string("\(job.simName)-"), "namespace": .string(namespace),
                "labels": JSONValue(simStringMap: labels), "annotations": JSONValue(simStringMap: annotations), "ownerReferences": [owner],
            ],
            "spec": template["spec"] ?? [:],
        ]
        object["status"] = JobPod(object, now: now).desiredStatus
        return object
    }
}

/// What the simulator reads of a Job.
private struct JobView {
    var template: JSONValue
    var completions: Int
    var parallelism: Int
    var backoffLimit: Int
    var startTime: Date?
    var deadline: Date?
    var finished: Bool

    init(_ job: JSONValue) {
        let spec = job["spec"] ?? [:]
        template = spec["template"] ?? [:]
        completions = Int(spec["completions"]?.intValue ?? 1)
        parallelism = Int(spec["parallelism"]?.intValue ?? 1)
        backoffLimit = Int(spec["backoffLimit"]?.intValue ?? 6)
        startTime = job[path: ["status", "startTime"]]?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.date
        deadline = zip2(startTime, spec["activeDeadlineSeconds"]?.intValue).map { $0.addingTimeInterval(Double($1)) }
        finished = (job[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            ["Complete", "Failed"].contains($0["type"]?.stringValue ?? "") && $0["status"]?.stringValue == "True"
        }
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// One pod of a Job: when it started, when it exits and with which code.
struct JobPod {
    var name: String
    var object: JSONValue
    var createdAt: Date
    var exitsAt: Date
    var exitCode: Int
    var now: Date

    init(_ object: JSONValue, now: Date) {
        self.object = object
        self.now = now
        name = object.simName
        let annotations = object[path: ["metadata", "annotations"]]
        let created = annotations?[SimAnnotations.createdAt]?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.date
        createdAt = created ?? now
        let runFor = annotations?[SimAnnotations.runFor]?.stringValue.flatMap(SimAnnotations.parseDuration) ?? SimAnnotations.defaultRunFor
        exitsAt = createdAt.addingTimeInterval(runFor)
        let attempt = Int(annotations?[SimAnnotations.attempt]?.stringValue ?? "0") ?? 0
        let codes = (annotations?[SimAnnotations.exitCode]?.stringValue ?? "0").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        exitCode = codes.isEmpty ? 0 : codes[min(attempt, codes.count - 1)]
    }

    var phase: String { now < exitsAt ? "Running" : exitCode == 0 ? "Succeeded" : "Failed" }

    /// The log the container printed: all of ``SimAnnotations/log`` (the simulator does not
    /// spread it over the run).
    static func log(of object: JSONValue) -> String {
        object[path: ["metadata", "annotations", SimAnnotations.log]]?.stringValue ?? ""
    }

    var desiredStatus: JSONValue {
        let started = JSONValue.simTime(createdAt)
        let containers = object[path: ["spec", "containers"]]?.arrayValue ?? []
        let running = phase == "Running"
        let states: [JSONValue] = containers.map { container in
            let containerName = container["name"]?.stringValue ?? "job"
            let state: JSONValue = running
                ? ["running": ["startedAt": started]]
                : [
                    "terminated": [
                        "exitCode": .int(Int64(exitCode)), "reason": .string(exitCode == 0 ? "Completed" : "Error"),
                        "startedAt": started, "finishedAt": .simTime(exitsAt), "containerID": .string("sim://\(name)/\(containerName)"),
                    ]
                ]
            return [
                "name": .string(containerName), "image": container["image"] ?? "", "imageID": "",
                "containerID": .string("sim://\(name)/\(containerName)"), "ready": .bool(running), "started": .bool(running),
                "restartCount": 0, "state": state,
            ]
        }
        return ["phase": .string(phase), "startTime": started, "qosClass": "BestEffort", "containerStatuses": .array(states)]
    }

    var statusIsCurrent: Bool { object[path: ["status", "phase"]]?.stringValue == phase }
}
