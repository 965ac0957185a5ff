/// Field numbers of the built-in messages kubectl's generators send, from Kubernetes'
/// `generated.proto` files (only the fields those generators and common manifests use).
extension ProtobufDecoder {
    typealias F = Field

    static let time = Kind.time
    static let labelSelector = Kind.message([
        1: F("matchLabels", .stringMap),
        2: F("matchExpressions", .message([1: F("key", .string), 2: F("operator", .string), 3: F("values", .string, repeated: true)]), repeated: true),
    ])
    static let objectMeta = Kind.message([
        1: F("name", .string), 2: F("generateName", .string), 3: F("namespace", .string), 5: F("uid", .string),
        6: F("resourceVersion", .string), 8: F("creationTimestamp", .time), 11: F("labels", .stringMap),
        12: F("annotations", .stringMap),
        13: F("ownerReferences", .message([
            1: F("kind", .string), 3: F("name", .string), 4: F("uid", .string), 5: F("apiVersion", .string),
            6: F("controller", .bool), 7: F("blockOwnerDeletion", .bool),
        ]), repeated: true),
        14: F("finalizers", .string, repeated: true),
    ])
    static let container = Kind.message([
        1: F("name", .string), 2: F("image", .string), 3: F("command", .string, repeated: true),
        4: F("args", .string, repeated: true), 5: F("workingDir", .string),
        6: F("ports", .message([1: F("name", .string), 2: F("hostPort", .int), 3: F("containerPort", .int), 4: F("protocol", .string)]), repeated: true),
        7: F("env", .message([1: F("name", .string), 2: F("value", .string)]), repeated: true),
        8: F("resources", .message([1: F("limits", .quantityMap), 2: F("requests", .quantityMap)])),
        14: F("imagePullPolicy", .string),
    ])
    static let podSpec = Kind.message([
        2: F("containers", container, repeated: true), 3: F("restartPolicy", .string),
        7: F("nodeSelector", .stringMap), 8: F("serviceAccountName", .string), 20: F("initContainers", container, repeated: true),
    ])
    static let servicePort = Kind.message([
        1: F("name", .string), 2: F("protocol", .string), 3: F("port", .int), 4: F("targetPort", .intOrString), 5: F("nodePort", .int),
    ])

    // rbac/v1: kubectl create role|clusterrole|rolebinding|clusterrolebinding.
    static let policyRule = Kind.message([
        1: F("verbs", .string, repeated: true), 2: F("apiGroups", .string, repeated: true),
        3: F("resources", .string, repeated: true), 4: F("resourceNames", .string, repeated: true),
        5: F("nonResourceURLs", .string, repeated: true),
    ])
    static let roleBinding: [Int: Field] = [
        1: F("metadata", objectMeta),
        2: F("subjects", .message([1: F("kind", .string), 2: F("apiGroup", .string), 3: F("name", .string), 4: F("namespace", .string)]), repeated: true),
        3: F("roleRef", .message([1: F("apiGroup", .string), 2: F("kind", .string), 3: F("name", .string)])),
    ]

    static let schemas: [String: [Int: Field]] = [
        "Role": [1: F("metadata", objectMeta), 2: F("rules", policyRule, repeated: true)],
        "ClusterRole": [1: F("metadata", objectMeta), 2: F("rules", policyRule, repeated: true)],
        "RoleBinding": roleBinding,
        "ClusterRoleBinding": roleBinding,
        "Namespace": [1: F("metadata", objectMeta)],
        "ConfigMap": [1: F("metadata", objectMeta), 2: F("data", .stringMap), 3: F("binaryData", .bytesMap), 4: F("immutable", .bool)],
        "Secret": [1: F("metadata", objectMeta), 2: F("data", .bytesMap), 3: F("type", .string), 4: F("stringData", .stringMap), 5: F("immutable", .bool)],
        "ServiceAccount": [1: F("metadata", objectMeta), 4: F("automountServiceAccountToken", .bool)],
        "Service": [1: F("metadata", objectMeta), 2: F("spec", .message([
            1: F("ports", servicePort, repeated: true), 2: F("selector", .stringMap), 3: F("clusterIP", .string),
            4: F("type", .string), 7: F("sessionAffinity", .string),
        ]))],
        "Deployment": [1: F("metadata", objectMeta), 2: F("spec", .message([
            1: F("replicas", .int), 2: F("selector", labelSelector),
            3: F("template", .message([1: F("metadata", objectMeta), 2: F("spec", podSpec)])),
            4: F("strategy", .message([1: F("type", .string), 2: F("rollingUpdate", .message([1: F("maxUnavailable", .intOrString), 2: F("maxSurge", .intOrString)]))])),
            5: F("minReadySeconds", .int), 6: F("revisionHistoryLimit", .int), 9: F("progressDeadlineSeconds", .int),
        ]))],
        "Pod": [1: F("metadata", objectMeta), 2: F("spec", podSpec)],
        // kubectl create token (authentication/v1 TokenRequestSpec: audiences 1, boundObjectRef 3, expirationSeconds 4).
        "TokenRequest": [1: F("metadata", objectMeta), 2: F("spec", .message([
            1: F("audiences", .string, repeated: true),
            3: F("boundObjectRef", .message([1: F("kind", .string), 2: F("apiVersion", .string), 3: F("name", .string), 4: F("uid", .string)])),
            4: F("expirationSeconds", .int),
        ]))],
        // kubectl auth can-i (authorization/v1 SelfSubjectAccessReviewSpec).
        "SelfSubjectAccessReview": [1: F("metadata", objectMeta), 2: F("spec", .message([
            1: F("resourceAttributes", .message([
                1: F("namespace", .string), 2: F("verb", .string), 3: F("group", .string), 4: F("version", .string),
                5: F("resource", .string), 6: F("subresource", .string), 7: F("name", .string),
            ])),
            2: F("nonResourceAttributes", .message([1: F("path", .string), 2: F("verb", .string)])),
        ]))],
        "Lease": [1: F("metadata", objectMeta), 2: F("spec", .message([
            1: F("holderIdentity", .string), 2: F("leaseDurationSeconds", .int), 5: F("leaseTransitions", .int),
        ]))],
    ]
}
