import Foundation
import KubeModels

extension APIServer {
    /// What a write produced.
    struct WriteOutcome {
        var object: JSONValue
        var created = false
        var warnings: [String] = []
    }

    /// The verb-independent pipeline every write goes through (KUBE-API.md §2): status
    /// separation, schema pruning/defaulting/validation, server-set metadata, generation,
    /// managedFields, and finalizer completion. Runs under the store lock (inside `mutate`).
    func admit(
        _ proposed: JSONValue, old: JSONValue?, type: ResourceType, namespace: String?, name: String,
        subresource: String?, request: HTTPRequest, operation: String, manager: String,
        warnings: inout [String], sentFields: JSONValue? = nil
    ) throws -> JSONValue {
        guard case .object = proposed else { throw APIError.badRequest("the object provided is not a JSON object") }
        var object = try ObjectMetaCoercion.apply(proposed, type)
        if type.isEventsV1View { object = EventConversion.fromEventsV1(object) }
        object["apiVersion"] = .string(type.isEventsV1View ? "v1" : type.apiVersion)
        object["kind"] = .string(type.kind)
        if let bodyName = object[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let bodyNamespace = object[path: ["metadata", "namespace"]]?.stringValue, !bodyNamespace.isEmpty,
            let namespace, bodyNamespace != namespace
        {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        object.set(path: ["metadata", "name"], to: .string(name))
        object.set(path: ["metadata", "namespace"], to: type.namespaced ? namespace.map(JSONValue.string) : nil)

        if let old, type.hasStatus {
            if subresource == "status" {
                var merged = old
                merged["status"] = object["status"]
                // Status writes may still carry the finalizer/label changes of metadata? No: only status.
                object = merged
            } else {
                object["status"] = old["status"]
            }
        } else if old == nil, type.hasStatus, !type.isCRD {
            object["status"] = nil
        } else if old == nil, type.isCRD {
            object["status"] = nil
        }

        // Causes in the real validators' order: the name (on create), then the schema, then the
        // scale subresource's paths (customResourceValidator.Validate).
        let nameCauses = old == nil
            ? NameValidation.causes(name, generateName: object[path: ["metadata", "generateName"]]?.stringValue, type) : []
        if let schema = type.schema {
            let result = SchemaValidator(schema: schema).process(object)
            if !result.unknownFields.isEmpty {
                switch fieldValidation(request) {
                case "Strict":
                    throw APIError.badRequest(
                        "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: "
                            + result.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", "))
                case "Ignore": break
                default: warnings += result.unknownFields.map { "unknown field \"\($0)\"" }
                }
            }
            let causes = nameCauses + result.causes
                + ScaleValidation.causes(result.object, type.builtin ? nil : type.scale, includeSpec: subresource != "status")
            if !causes.isEmpty { throw APIError.invalid(type, name: name, causes: causes) }
            object = result.object
        }
        ObjectRules.applyDefaults(&object, type, isCreate: old == nil)
        let causes = (type.schema == nil ? nameCauses : []) + ObjectRules.validate(object, type, old: old)
        if !causes.isEmpty { throw APIError.invalid(type, name: name, causes: causes) }
        if type.isCRD { object["status"] = ObjectRules.crdStatus(object) }

        // Server-owned metadata.
        var metadata = object["metadata"]?.objectValue ?? [:]
        let oldMetadata = old?["metadata"]?.objectValue ?? [:]
        metadata["uid"] = oldMetadata["uid"] ?? .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = oldMetadata["creationTimestamp"] ?? .string(APIServer.now())
        metadata["deletionTimestamp"] = oldMetadata["deletionTimestamp"]
        metadata["deletionGracePeriodSeconds"] = oldMetadata["deletionGracePeriodSeconds"]
        metadata["resourceVersion"] = nil
        metadata["selfLink"] = nil
        if metadata["managedFields"] == nil || subresource != nil { metadata["managedFields"] = oldMetadata["managedFields"] }
        if ObjectRules.tracksGeneration(type) {
            var generation = oldMetadata["generation"]?.intValue ?? 1
            if let old, ObjectRules.specPart(old, type) != ObjectRules.specPart(object, type) { generation += 1 }
            metadata["generation"] = .int(generation)
        } else {
            metadata["generation"] = nil
        }
        object["metadata"] = .object(metadata)
        ObjectRules.applyUIDDefaults(&object, type, isCreate: old == nil)

        let fields = sentFields ?? ManagedFields.changedFields(old, object)
        if operation == "Update", !(fields.objectValue ?? [:]).isEmpty {
            ManagedFields.record(
                in: &object, manager: manager, operation: "Update", apiVersion: type.apiVersion,
                subresource: subresource, fields: fields, replace: false)
        }
        return object
    }

    /// Whether a write changed nothing but bookkeeping (the resourceVersion, managedFields
    /// times), so the server can skip it: no new resourceVersion, no watch event. Explicit
    /// managedFields changes still count (kubectl's SSA migration patches them).
    func isNoOp(_ old: JSONValue?, _ new: JSONValue) -> Bool {
        guard let old else { return false }
        func comparable(_ object: JSONValue) -> JSONValue {
            var copy = object
            copy["metadata"]?["resourceVersion"] = nil
            if let entries = copy[path: ["metadata", "managedFields"]]?.arrayValue {
                copy["metadata"]?["managedFields"] = .array(entries.map { entry in
                    var entry = entry
                    entry["time"] = nil
                    return entry
                })
            }
            return copy
        }
        return comparable(old) == comparable(new)
    }

    func requireNamespace(_ type: ResourceType, _ namespace: String?) throws {
        guard type.namespaced else { return }
        guard let namespace else { throw APIError.unknownPath }
        if store.get("/namespaces", namespace: nil, name: namespace) == nil {
            let namespaces = ResourceType.builtins[0]
            throw APIError.notFound(namespaces, name: namespace)
        }
    }

    func create(_ request: HTTPRequest, _ type: ResourceType, namespace: String?) throws -> HTTPResponse {
        try requireNamespace(type, namespace)
        var body = try decodeBody(request)
        var name = body[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty {
            guard let prefix = body[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty else {
                throw APIError.invalid(type, name: "", causes: [StatusCause(
                    reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                    field: "metadata.name")])
            }
            name = prefix + ObjectRules.randomSuffix()
            body.set(path: ["metadata", "name"], to: .string(name))
        }
        let manager = ManagedFields.manager(request)
        var warnings: [String] = []
        let dryRun = request.query["dryRun"] == "All"
        var result: JSONValue?
        try store.mutate(type.storageKey, namespace: namespace, name: name) { current in
            if current != nil { throw APIError.alreadyExists(type, name: name) }
            let object = try admit(
                body, old: nil, type: type, namespace: namespace, name: name, subresource: nil, request: request,
                operation: "Update", manager: manager, warnings: &warnings)
            result = object
            return dryRun ? .keep : .put(object)
        }.map { result = $0 }
        guard let stored = result else { throw APIError.internalError("create produced nothing") }
        if type.isCRD { registry.register(crd: stored) }
        if !dryRun, hasMissingOwner(stored, namespace: namespace) { wakeGarbageCollector?() }
        return .json(201, render(stored, as: type), headers: warningHeaders(warnings))
    }

    /// Whether an owner `object` references is gone (a controller created a dependent for an owner
    /// deleted a moment before): the garbage collector must look, as the real one verifies such
    /// owners and deletes their dependents.
    private func hasMissingOwner(_ object: JSONValue, namespace: String?) -> Bool {
        for reference in object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] {
            guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
                let name = reference["name"]?.stringValue, let ownerType = registry.lookup(apiVersion: apiVersion, kind: kind)
            else { continue }
            let owner = store.get(ownerType.storageKey, namespace: ownerType.namespaced ? namespace : nil, name: name)
            if owner?[path: ["metadata", "uid"]] != reference["uid"] { return true }
        }
        return false
    }

    func update(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String, subresource: String?) throws -> HTTPResponse {
        if subresource == "scale" { return try updateScale(request, type, namespace: namespace, name: name) }
        if let subresource, subresource != "status" || !type.hasStatus { throw APIError.unknownPath }
        let body = try decodeBody(request)
        let manager = ManagedFields.manager(request)
        var warnings: [String] = []
        let outcome = try write(type, namespace: namespace, name: name, dryRun: request.query["dryRun"] == "All") { current in
            guard let current else { throw APIError.notFound(type, name: name) }
            let sentVersion = body[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            if sentVersion.isEmpty, !type.builtin {
                throw APIError.invalid(type, name: name, causes: [StatusCause(
                    reason: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update",
                    field: "metadata.resourceVersion")])
            }
            if !sentVersion.isEmpty, sentVersion != current[path: ["metadata", "resourceVersion"]]?.stringValue {
                throw APIError.conflict(type, name: name)
            }
            return try admit(
                body, old: current, type: type, namespace: namespace, name: name, subresource: subresource,
                request: request, operation: "Update", manager: manager, warnings: &warnings)
        }
        return .json(200, render(outcome, as: type), headers: warningHeaders(warnings))
    }

    /// Runs `transform` over the current object under the store lock and stores its result,
    /// unless nothing changed; removes the object when its deletion waited only for finalizers.
    func write(
        _ type: ResourceType, namespace: String?, name: String, dryRun: Bool = false,
        _ transform: (JSONValue?) throws -> JSONValue
    ) throws -> JSONValue {
        var result: JSONValue?
        var deleted = false
        try store.mutate(type.storageKey, namespace: namespace, name: name) { current in
            let object = try transform(current)
            result = object
            if isNoOp(current, object) {
                result = current
                return .keep
            }
            if dryRun {
                // The real server answers a dry-run update with the object as it would be stored,
                // still at the current resourceVersion (kubectl diff compares it with the live one).
                var preview = object
                if let current { preview.set(path: ["metadata", "resourceVersion"], to: current[path: ["metadata", "resourceVersion"]]) }
                result = preview
                return .keep
            }
            let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
            if object[path: ["metadata", "deletionTimestamp"]] != nil, finalizers.isEmpty {
                deleted = true
                return .delete
            }
            return .put(object)
        }.map { result = $0 }
        guard let stored = result else { throw APIError.internalError("write produced nothing") }
        if deleted {
            afterDelete(type, stored)
        } else if type.isCRD {
            registry.register(crd: stored)
        }
        return stored
    }

    func warningHeaders(_ warnings: [String]) -> [(String, String)] {
        warnings.map { ("Warning", "299 - \"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"") }
    }
}
