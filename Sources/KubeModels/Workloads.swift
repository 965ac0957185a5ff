/// `apps/v1` Deployment: the fields Cutover reads and writes. The pod template's spec is kept as
/// ``JSONValue`` so what the user wrote survives unchanged.
public struct Deployment: KubeObject, Hashable {
    public static let resource = Resource.deployments
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var minReadySeconds: Int32?
    public var progressDeadlineSeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    /// Rolling-update settings, kept as written.
    public var strategy: JSONValue?

    public init(
        replicas: Int32? = nil, selector: LabelSelector, template: PodTemplateSpec, minReadySeconds: Int32? = nil,
        progressDeadlineSeconds: Int32? = nil, revisionHistoryLimit: Int32? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.minReadySeconds = minReadySeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.revisionHistoryLimit = revisionHistoryLimit
    }
}

public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [DeploymentCondition]?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, updatedReplicas: Int32? = nil,
        readyReplicas: Int32? = nil, availableReplicas: Int32? = nil, unavailableReplicas: Int32? = nil,
        conditions: [DeploymentCondition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
    }
}

/// A Deployment condition (`Available`, `Progressing`, `ReplicaFailure`).
public struct DeploymentCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastUpdateTime: Timestamp?
    public var lastTransitionTime: Timestamp?

    public init(
        type: String, status: String, reason: String? = nil, message: String? = nil,
        lastUpdateTime: Timestamp? = nil, lastTransitionTime: Timestamp? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
    }
}

/// A pod template: its metadata (labels, annotations) and its spec kept verbatim.
public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: JSONValue?

    public init(metadata: ObjectMeta? = nil, spec: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `autoscaling/v1` Scale: what the `scale` subresource reads and writes.
public struct Scale: Codable, Sendable, Hashable {
    public var apiVersion: String? = "autoscaling/v1"
    public var kind: String? = "Scale"
    public var metadata: ObjectMeta
    public var spec: ScaleSpec
    public var status: ScaleStatus?

    public init(metadata: ObjectMeta, spec: ScaleSpec, status: ScaleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ScaleSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public init(replicas: Int32? = nil) { self.replicas = replicas }
}

public struct ScaleStatus: Codable, Sendable, Hashable {
    public var replicas: Int32
    /// The label selector in its query-string form.
    public var selector: String?
    public init(replicas: Int32, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }
}

/// core/v1 Pod, read-only for Cutover: labels, phase and readiness.
public struct Pod: KubeObject, Hashable {
    public static let resource = Resource.pods
    public var apiVersion: String? = "v1"
    public var kind: String? = "Pod"
    public var metadata: ObjectMeta
    public var spec: JSONValue?
    public var status: PodStatus?

    public init(metadata: ObjectMeta, spec: JSONValue? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Whether the pod's `Ready` condition is `True`.
    public var isReady: Bool {
        status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }
}

public struct PodStatus: Codable, Sendable, Hashable {
    public var phase: String?
    public var podIP: String?
    public var startTime: Timestamp?
    public var conditions: [PodCondition]?

    public init(phase: String? = nil, podIP: String? = nil, startTime: Timestamp? = nil, conditions: [PodCondition]? = nil) {
        self.phase = phase
        self.podIP = podIP
        self.startTime = startTime
        self.conditions = conditions
    }
}

public struct PodCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var lastTransitionTime: Timestamp?

    public init(type: String, status: String, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
    }
}

/// `batch/v1` Job: pods run to completion.
public struct Job: KubeObject, Hashable {
    public static let resource = Resource.jobs
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec?
    public var status: JobStatus?

    public init(metadata: ObjectMeta, spec: JobSpec? = nil, status: JobStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct JobSpec: Codable, Sendable, Hashable {
    public var template: PodTemplateSpec
    /// Failed pods before the Job fails (server default 6).
    public var backoffLimit: Int32?
    /// Seconds from the Job's start after which it fails and its pods are stopped.
    public var activeDeadlineSeconds: Int64?
    public var completions: Int32?
    public var parallelism: Int32?

    public init(
        template: PodTemplateSpec, backoffLimit: Int32? = nil, activeDeadlineSeconds: Int64? = nil, completions: Int32? = nil,
        parallelism: Int32? = nil
    ) {
        self.template = template
        self.backoffLimit = backoffLimit
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.completions = completions
        self.parallelism = parallelism
    }
}

public struct JobStatus: Codable, Sendable, Hashable {
    public var conditions: [Condition]?
    public var startTime: Timestamp?
    public var completionTime: Timestamp?
    public var active: Int32?
    public var succeeded: Int32?
    public var failed: Int32?

    public init(conditions: [Condition]? = nil, active: Int32? = nil, succeeded: Int32? = nil, failed: Int32? = nil) {
        self.conditions = conditions
        self.active = active
        self.succeeded = succeeded
        self.failed = failed
    }

    /// The condition `type` (`Complete`, `Failed`) when it is True.
    public func condition(_ type: String) -> Condition? {
        conditions?.first { $0.type == type && $0.status == "True" }
    }
}
