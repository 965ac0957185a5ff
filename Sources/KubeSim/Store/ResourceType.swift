import KubeModels

/// Everything the server knows about one served resource: its names, scope, subresources and,
/// for custom resources, the CRD's schema and printer columns.
struct ResourceType: Sendable {
    /// How `/scale` maps onto the object (KUBE-API.md §7).
    struct ScaleMapping: Sendable, Hashable {
        var specReplicasPath: String
        var statusReplicasPath: String
        var labelSelectorPath: String?
    }

    /// One `additionalPrinterColumns` entry of a CRD.
    struct PrinterColumn: Sendable, Hashable {
        var name: String
        var type: String
        var format: String
        var description: String
        var priority: Int
        var jsonPath: String
    }

    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    var hasStatus = false
    var scale: ScaleMapping?
    /// Built-in kinds accept strategic merge patches and PUT without resourceVersion.
    var builtin = true
    /// The CRD's printer columns, `nil` for built-in kinds.
    var printerColumns: [PrinterColumn]?
    /// The CRD version's `openAPIV3Schema`, when it has one.
    var schema: JSONValue?
    /// Extra field-selector paths the CRD declares (`selectableFields`).
    var selectableFields: [String] = []
    /// Where objects live: two API groups can be views of one store (core and events.k8s.io events).
    var storageKey: String
    /// Every version the resource is served at; the first is preferred.
    var servedVersions: [String] = []

    var verbs: [String] { ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `rollouts.cutover.dev`, or just `pods` for the core group: how errors name the resource.
    var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    var listKind: String { kind + "List" }

    init(
        group: String, version: String, plural: String, singular: String, kind: String, namespaced: Bool,
        shortNames: [String] = [], categories: [String] = [], hasStatus: Bool = false, scale: ScaleMapping? = nil,
        storageKey: String? = nil
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatus = hasStatus
        self.scale = scale
        self.storageKey = storageKey ?? "\(group)/\(plural)"
        self.servedVersions = [version]
    }

    /// The built-in resources every server serves.
    static let builtins: [ResourceType] = {
        let deploymentScale = ScaleMapping(
            specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: nil)
        return [
            ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
                         namespaced: false, shortNames: ["ns"], hasStatus: true),
            ResourceType(group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true,
                         shortNames: ["po"], categories: ["all"], hasStatus: true),
            ResourceType(group: "", version: "v1", plural: "services", singular: "service", kind: "Service",
                         namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatus: true),
            ResourceType(group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints",
                         namespaced: true, shortNames: ["ep"]),
            ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
                         namespaced: true, shortNames: ["cm"]),
            ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true),
            ResourceType(group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount",
                         kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
            ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true,
                         shortNames: ["ev"], storageKey: "events"),
            ResourceType(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
                         namespaced: true, shortNames: ["ev"], storageKey: "events"),
            ResourceType(group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
                         namespaced: true, shortNames: ["deploy"], categories: ["all"], hasStatus: true,
                         scale: deploymentScale),
            ResourceType(group: "batch", version: "v1", plural: "jobs", singular: "job", kind: "Job", namespaced: true,
                         categories: ["all"], hasStatus: true),
            ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
                         namespaced: true),
            ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role",
                         kind: "Role", namespaced: true),
            ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings",
                         singular: "rolebinding", kind: "RoleBinding", namespaced: true),
            ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles",
                         singular: "clusterrole", kind: "ClusterRole", namespaced: false),
            ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings",
                         singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false),
            ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                         singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
                         shortNames: ["crd", "crds"], categories: ["api-extensions"], hasStatus: true),
        ]
    }()

    /// True for the events.k8s.io/v1 view of the core event store.
    var isEventsV1View: Bool { group == "events.k8s.io" }
    var isCRD: Bool { group == "apiextensions.k8s.io" && plural == "customresourcedefinitions" }
}
