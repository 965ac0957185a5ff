import KubeModels

/// Discovery documents (KUBE-API.md §1): aggregated v2 (`APIGroupDiscoveryList`) by default,
/// and the legacy `APIVersions` / `APIGroupList` / `APIResourceList` forms.
enum Discovery {
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-kubesim", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-11-21T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static let apiVersions: JSONValue = [
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
    ]

    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Group names in serving order: built-in groups first, then CRD groups.
    static func groupNames(_ types: [ResourceType]) -> [String] {
        var names: [String] = []
        for type in types where !type.group.isEmpty && !names.contains(type.group) { names.append(type.group) }
        return names
    }

    static func versions(_ types: [ResourceType], group: String) -> [String] {
        var versions: [String] = []
        for type in types where type.group == group && !versions.contains(type.version) { versions.append(type.version) }
        return versions
    }

    static func aggregated(_ types: [ResourceType], core: Bool) -> HTTPResponse {
        let groups = core ? [""] : groupNames(types)
        let items: [JSONValue] = groups.map { group in
            let versions: [JSONValue] = versions(types, group: group).map { version in
                let resources = types.filter { $0.group == group && $0.version == version }.map(aggregatedResource)
                return ["version": .string(version), "freshness": "Current", "resources": .array(resources)]
            }
            let metadata: JSONValue = group.isEmpty ? [:] : ["name": .string(group)]
            return ["metadata": metadata, "versions": .array(versions)]
        }
        let body: JSONValue = [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items),
        ]
        return .json(200, body, contentType: aggregatedContentType)
    }

    private static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        var subresources: [JSONValue] = []
        let kindRef: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
        if type.hasStatus {
            subresources.append(["subresource": "status", "responseKind": kindRef, "verbs": ["get", "patch", "update"]])
        }
        if type.scale != nil {
            subresources.append([
                "subresource": "scale", "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"],
                "verbs": ["get", "patch", "update"],
            ])
        }
        if type.servesTokenRequests {
            subresources.append([
                "subresource": "token",
                "responseKind": ["group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"],
                "verbs": ["create"],
            ])
        }
        var resource: [String: JSONValue] = [
            "resource": .string(type.plural), "responseKind": kindRef,
            "scope": type.namespaced ? "Namespaced" : "Cluster", "singularResource": .string(type.singular),
            "verbs": .array(type.verbs.map(JSONValue.string)),
        ]
        if !type.shortNames.isEmpty { resource["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
        if !type.categories.isEmpty { resource["categories"] = .array(type.categories.map(JSONValue.string)) }
        if !subresources.isEmpty { resource["subresources"] = .array(subresources) }
        return .object(resource)
    }

    static func groupList(_ types: [ResourceType]) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames(types).compactMap { group(types, name: $0) })]
    }

    static func group(_ types: [ResourceType], name: String) -> JSONValue? {
        let versions = versions(types, group: name)
        guard let preferred = versions.first else { return nil }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(name),
            "versions": .array(versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }),
            "preferredVersion": ["groupVersion": .string("\(name)/\(preferred)"), "version": .string(preferred)],
        ]
    }

    static func resourceList(_ types: [ResourceType], group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in types where type.group == group && type.version == version {
            var entry: [String: JSONValue] = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(.object(entry))
            if type.hasStatus {
                resources.append([
                    "name": .string("\(type.plural)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": ["get", "patch", "update"],
                ])
            }
            if type.scale != nil {
                resources.append([
                    "name": .string("\(type.plural)/scale"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
                ])
            }
            if type.servesTokenRequests {
                resources.append([
                    "name": "serviceaccounts/token", "singularName": "", "namespaced": true,
                    "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest", "verbs": ["create"],
                ])
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}
