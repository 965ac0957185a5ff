import Foundation
import KubeModels

extension APIServer {
    /// `DeleteOptions` from the body and query of a DELETE.
    struct DeleteOptions {
        var propagationPolicy: String?
        var preconditionUID: String?
        var preconditionVersion: String?
        var dryRun = false

        init(_ request: HTTPRequest) throws {
            let body = request.body.isEmpty ? JSONValue.object([:]) : try JSONParser.parse(request.body)
            propagationPolicy = body["propagationPolicy"]?.stringValue ?? request.query["propagationPolicy"]
            if propagationPolicy == nil, let orphan = body["orphanDependents"]?.boolValue ?? request.query["orphanDependents"].map({ $0 == "true" }) {
                propagationPolicy = orphan ? "Orphan" : "Background"
            }
            if let policy = propagationPolicy, !["Background", "Foreground", "Orphan"].contains(policy) {
                throw APIError.badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
            }
            preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
            preconditionVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            dryRun = (body["dryRun"]?.arrayValue?.contains("All") ?? false) || request.query["dryRun"] == "All"
        }
    }

    func delete(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        let options = try DeleteOptions(request)
        var removed: JSONValue?
        var pending: JSONValue?
        try store.mutate(type.storageKey, namespace: namespace, name: name) { current in
            guard let current else { throw APIError.notFound(type, name: name) }
            let uid = current[path: ["metadata", "uid"]]?.stringValue ?? ""
            let version = current[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            if let expected = options.preconditionUID, expected != uid {
                throw APIError.conflict(type, name: name, detail: "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
            }
            if let expected = options.preconditionVersion, expected != version {
                throw APIError.conflict(type, name: name, detail: "Precondition failed: ResourceVersion in precondition: \(expected), ResourceVersion in object meta: \(version)")
            }
            var finalizers = (current[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue)
            if configuration.garbageCollection {
                switch options.propagationPolicy {
                case "Foreground" where !finalizers.contains("foregroundDeletion"): finalizers.append("foregroundDeletion")
                case "Orphan" where !finalizers.contains("orphan"): finalizers.append("orphan")
                default: break
                }
            }
            if finalizers.isEmpty {
                removed = current
                return options.dryRun ? .keep : .delete
            }
            var object = current
            object.set(path: ["metadata", "finalizers"], to: .array(finalizers.map(JSONValue.string)))
            if object[path: ["metadata", "deletionTimestamp"]] == nil {
                object.set(path: ["metadata", "deletionTimestamp"], to: .string(APIServer.now()))
                object.set(path: ["metadata", "deletionGracePeriodSeconds"], to: 0)
            }
            pending = object
            if options.dryRun || object == current { return .keep }
            return .put(object)
        }.map { stored in if pending != nil { pending = stored } else { removed = stored } }
        if let pending {
            wakeGarbageCollector?()
            return .json(200, render(pending, as: type))
        }
        guard let removed else { throw APIError.notFound(type, name: name) }
        if !options.dryRun { afterDelete(type, removed) }
        if type.kind == "Pod" && type.builtin { return .json(200, render(removed, as: type)) }
        let details: JSONValue = [
            "name": .string(name), "group": .string(type.group), "kind": .string(type.plural),
            "uid": removed[path: ["metadata", "uid"]] ?? .null,
        ]
        return .json(200, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details])
    }

    func deleteCollection(_ request: HTTPRequest, _ type: ResourceType, namespace: String?) throws -> HTTPResponse {
        let filter = try Filter(request, type)
        let (objects, _) = store.list(type.storageKey, namespace: namespace)
        var deleted: [JSONValue] = []
        for object in objects where filter.matches(object) {
            guard let name = object[path: ["metadata", "name"]]?.stringValue else { continue }
            let objectNamespace = object[path: ["metadata", "namespace"]]?.stringValue
            var single = request
            single.body = []
            if let response = try? delete(single, type, namespace: objectNamespace, name: name), response.status == 200 {
                deleted.append(render(object, as: type))
            }
        }
        return .json(200, [
            "apiVersion": .string(type.apiVersion), "kind": .string(type.listKind),
            "metadata": ["resourceVersion": .string(String(store.resourceVersion))], "items": .array(deleted),
        ])
    }

    /// Consequences of an object leaving the store: a CRD takes its resource and objects with it,
    /// a Namespace its contents; then the garbage collector may have dependents to remove.
    func afterDelete(_ type: ResourceType, _ object: JSONValue) {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if type.isCRD {
            let types = ResourceRegistry.resourceTypes(for: object)
            registry.unregister(crdName: name)
            if let storageKey = types.first?.storageKey {
                removeAll(storageKey, namespace: nil)
                store.closeWatches(storageKey)
            }
        } else if type.kind == "Namespace", type.builtin {
            for storageKey in Set(registry.all.filter(\.namespaced).map(\.storageKey)) {
                removeAll(storageKey, namespace: name)
            }
        }
        wakeGarbageCollector?()
    }

    private func removeAll(_ storageKey: String, namespace: String?) {
        let (objects, _) = store.list(storageKey, namespace: namespace)
        for object in objects {
            guard let objectName = object[path: ["metadata", "name"]]?.stringValue else { continue }
            _ = try? store.mutate(storageKey, namespace: object[path: ["metadata", "namespace"]]?.stringValue, name: objectName) { _ in .delete }
        }
    }
}
