import KubeModels

extension APIServer {
    /// The `autoscaling/v1` Scale view of an object (KUBE-API.md §7), through the resource's
    /// replica and selector paths.
    func scaleView(_ object: JSONValue, _ type: ResourceType, mapping: ResourceType.ScaleMapping) -> JSONValue {
        let metadata = object["metadata"]?.objectValue ?? [:]
        var scaleMetadata: [String: JSONValue] = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { scaleMetadata[key] = metadata[key] }
        let specReplicas = JSONPath(mapping.specReplicasPath).first(object)?.intValue ?? 0
        var status: [String: JSONValue] = ["replicas": .int(JSONPath(mapping.statusReplicasPath).first(object)?.intValue ?? 0)]
        if let selectorPath = mapping.labelSelectorPath, let selector = JSONPath(selectorPath).first(object)?.stringValue {
            status["selector"] = .string(selector)
        } else if type.kind == "Deployment", let selector = object[path: ["spec", "selector"]] {
            status["selector"] = .string(LabelSelector(object: selector).text)
        }
        return [
            "apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": .object(scaleMetadata),
            "spec": ["replicas": .int(specReplicas)], "status": .object(status),
        ]
    }

    private func scaleMapping(_ type: ResourceType) throws -> ResourceType.ScaleMapping {
        guard let mapping = type.scale else { throw APIError.unknownPath }
        return mapping
    }

    func getScale(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        let mapping = try scaleMapping(type)
        guard let object = store.get(type.storageKey, namespace: namespace, name: name) else {
            throw APIError.notFound(type, name: name)
        }
        return .json(200, scaleView(object, type, mapping: mapping))
    }

    func updateScale(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        let body = try decodeBody(request)
        return try writeScale(request, type, namespace: namespace, name: name) { current, _ in body }
    }

    func patchScale(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String, kind: String) throws -> HTTPResponse {
        guard kind != "application/apply-patch+yaml" else {
            throw APIError.unsupportedMediaType(kind, accepted: Array(Self.builtinPatchTypes.dropLast()))
        }
        let body = try decodeBody(request)
        return try writeScale(request, type, namespace: namespace, name: name) { _, scale in
            try applyPatch(kind == "application/strategic-merge-patch+json" ? "application/merge-patch+json" : kind,
                           body, to: scale, type: type, name: name)
        }
    }

    private func writeScale(
        _ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String,
        _ newScale: (JSONValue, JSONValue) throws -> JSONValue
    ) throws -> HTTPResponse {
        let mapping = try scaleMapping(type)
        let manager = ManagedFields.manager(request)
        var warnings: [String] = []
        let outcome = try write(type, namespace: namespace, name: name) { current in
            guard let current else { throw APIError.notFound(type, name: name) }
            let scale = try newScale(current, scaleView(current, type, mapping: mapping))
            try checkVersionPrecondition(scale, current, type: type, name: name)
            guard let replicas = scale[path: ["spec", "replicas"]]?.intValue else {
                throw APIError.badRequest("Scale.spec.replicas must be an integer")
            }
            if replicas < 0 {
                throw APIError(code: 422, reason: "Invalid",
                               message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0",
                               details: StatusDetails(name: name, group: "autoscaling", kind: "Scale", causes: [
                                StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas")]))
            }
            var object = current
            guard let keys = JSONPath(mapping.specReplicasPath).keyPath else { throw APIError.internalError("bad specReplicasPath") }
            object.set(path: keys, to: .int(replicas))
            return try admit(
                object, old: current, type: type, namespace: namespace, name: name, subresource: "scale",
                request: request, operation: "Update", manager: manager, warnings: &warnings)
        }
        return .json(200, scaleView(outcome, type, mapping: mapping), headers: warningHeaders(warnings))
    }
}
