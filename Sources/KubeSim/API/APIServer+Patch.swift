import Foundation
import KubeModels

extension APIServer {
    static let customResourcePatchTypes = [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
    ]
    static let builtinPatchTypes = [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ]

    /// The patch type of a request from its Content-Type, or 415 listing what the resource accepts.
    func patchType(_ request: HTTPRequest, _ type: ResourceType) throws -> String {
        let contentType = (request.headers["content-type"] ?? "").split(separator: ";").first.map {
            String($0).trimmingSpaces.lowercased()
        } ?? ""
        let accepted = type.builtin ? Self.builtinPatchTypes : Self.customResourcePatchTypes
        guard accepted.contains(contentType) else { throw APIError.unsupportedMediaType(contentType, accepted: accepted) }
        return contentType
    }

    func patch(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String, subresource: String?) throws -> HTTPResponse {
        let kind = try patchType(request, type)
        if subresource == "scale" { return try patchScale(request, type, namespace: namespace, name: name, kind: kind) }
        if let subresource, subresource != "status" || !type.hasStatus { throw APIError.unknownPath }
        if kind == "application/apply-patch+yaml" {
            return try apply(request, type, namespace: namespace, name: name, subresource: subresource)
        }
        let body = try decodeBody(request)
        let manager = ManagedFields.manager(request)
        var warnings: [String] = []
        let outcome = try write(type, namespace: namespace, name: name, dryRun: request.query["dryRun"] == "All") { current in
            guard let current else { throw APIError.notFound(type, name: name) }
            var base = current
            if type.isEventsV1View { base = EventConversion.toEventsV1(base) }
            let patched = try applyPatch(kind, body, to: base, type: type, name: name)
            try checkVersionPrecondition(patched, current, type: type, name: name)
            return try admit(
                patched, old: current, type: type, namespace: namespace, name: name, subresource: subresource,
                request: request, operation: "Update", manager: manager, warnings: &warnings)
        }
        return .json(200, render(outcome, as: type), headers: warningHeaders(warnings))
    }

    /// Applies a merge, JSON or strategic merge patch to `object`; failures are 422 (JSON patch)
    /// or 400 (malformed).
    func applyPatch(_ kind: String, _ body: JSONValue, to object: JSONValue, type: ResourceType, name: String) throws -> JSONValue {
        switch kind {
        case "application/merge-patch+json":
            guard body.objectValue != nil else { throw APIError.badRequest("merge patch must be a JSON object") }
            return MergePatch.apply(body, to: object)
        case "application/json-patch+json":
            // jsonpatch.DecodePatch refuses anything but a list of operations with 400.
            guard body.arrayValue != nil else {
                throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
            }
            do {
                return try JSONPatch.apply(body, to: object)
            } catch is JSONPatch.Failure {
                throw APIError.patchNotApplicable
            }
        default:
            do {
                return try StrategicMergePatch.apply(body, to: object, kind: type.kind)
            } catch let failure as StrategicMergePatch.Failure {
                throw APIError.badRequest(failure.message)
            }
        }
    }

    /// A patch that sets `metadata.resourceVersion` is a precondition (KUBE-API.md §2).
    func checkVersionPrecondition(_ patched: JSONValue, _ current: JSONValue, type: ResourceType, name: String) throws {
        if let sent = patched[path: ["metadata", "resourceVersion"]]?.stringValue, !sent.isEmpty,
            sent != current[path: ["metadata", "resourceVersion"]]?.stringValue
        {
            throw APIError.conflict(type, name: name)
        }
    }

    /// Server-side apply: create-or-update owned by `fieldManager`, with conflicts against other
    /// managers (unless `force=true`) and removal of fields the manager stopped applying.
    func apply(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String, subresource: String?) throws -> HTTPResponse {
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            throw APIError.badRequest("PATCH, application/apply-patch+yaml requests require a fieldManager query parameter")
        }
        let force = request.query["force"] == "true"
        var config = try decodeBody(request, allowYAML: true)
        guard config.objectValue != nil else { throw APIError.badRequest("apply configuration must be an object") }
        config["metadata"]?["managedFields"] = nil
        let fields = ManagedFields.fieldSet(of: config)
        var warnings: [String] = []
        var created = false
        if type.namespaced, store.get(type.storageKey, namespace: namespace, name: name) == nil {
            try requireNamespace(type, namespace)
        }
        let outcome = try write(type, namespace: namespace, name: name, dryRun: request.query["dryRun"] == "All") { current in
            guard let current else {
                created = true
                var object = try admit(
                    config, old: nil, type: type, namespace: namespace, name: name, subresource: subresource,
                    request: request, operation: "Apply", manager: manager, warnings: &warnings)
                ManagedFields.record(in: &object, manager: manager, operation: "Apply", apiVersion: type.apiVersion,
                                     subresource: subresource, fields: fields, replace: true, takeFrom: nil)
                return object
            }
            try checkVersionPrecondition(config, current, type: type, name: name)
            let entries = current[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            var conflicts: [(manager: String, label: String, path: String)] = []
            var othersOwned = JSONValue.object([:])
            var previouslyMine = JSONValue.object([:])
            for entry in entries {
                let owner = entry["manager"]?.stringValue ?? ""
                let owned = entry["fieldsV1"] ?? .object([:])
                if owner == manager, entry["operation"]?.stringValue == "Apply" {
                    previouslyMine = owned
                    continue
                }
                othersOwned = ManagedFields.union(othersOwned, owned)
                for path in ManagedFields.intersection(owned, fields) where Self.valueDiffers(path, config, current) {
                    conflicts.append((owner, Self.managerLabel(entry, defaultAPIVersion: type.apiVersion), path))
                }
            }
            if !conflicts.isEmpty, !force { throw Self.applyConflict(type, name: name, conflicts) }
            var merged = type.builtin
                ? try StrategicMergePatch.apply(config, to: current, kind: type.kind)
                : MergePatch.apply(config, to: current)
            let dropped = ManagedFields.subtract(ManagedFields.subtract(previouslyMine, fields), othersOwned)
            Self.removeFields(dropped, from: &merged)
            var object = try admit(
                merged, old: current, type: type, namespace: namespace, name: name, subresource: subresource,
                request: request, operation: "Apply", manager: manager, warnings: &warnings)
            var taken = JSONValue.object([:])
            for conflict in conflicts {
                let keys = conflict.path.split(separator: ".").map { "f:\($0)" }
                var leaf = JSONValue.object([:])
                for key in keys.reversed() { leaf = .object([key: leaf]) }
                taken = ManagedFields.union(taken, leaf)
            }
            ManagedFields.record(in: &object, manager: manager, operation: "Apply", apiVersion: type.apiVersion,
                                 subresource: subresource, fields: fields, replace: true, takeFrom: taken)
            return object
        }
        return .json(created ? 201 : 200, render(outcome, as: type), headers: warningHeaders(warnings))
    }

    private static func valueDiffers(_ path: String, _ config: JSONValue, _ current: JSONValue) -> Bool {
        let keys = path.split(separator: ".").map(String.init)
        return config[path: keys] != current[path: keys]
    }

    /// The real server's apply conflict (fieldmanager `NewConflictError`): one conflict on one
    /// line; several grouped by manager (managers sorted), one `- path` line each. An applier is
    /// named alone; an updater with its apiVersion (and subresource). Details carry only causes.
    private static func applyConflict(_ type: ResourceType, name: String, _ conflicts: [(manager: String, label: String, path: String)]) -> APIError {
        let message: String
        if conflicts.count == 1, let only = conflicts.first {
            message = "Apply failed with 1 conflict: conflict with \(only.label): \(only.path)"
        } else {
            var lines: [String] = []
            let byManager = Dictionary(grouping: conflicts, by: \.label)
            for label in byManager.keys.sorted(by: { a, b in
                (byManager[a]!.first!.manager, a) < (byManager[b]!.first!.manager, b)
            }) {
                lines.append("conflicts with \(label):")
                lines += byManager[label]!.map { "- \($0.path)" }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return APIError(
            code: 409, reason: "Conflict", message: message,
            details: StatusDetails(causes: conflicts.map {
                StatusCause(reason: "FieldManagerConflict", message: "conflict with \($0.label)", field: $0.path)
            }))
    }

    /// printManager: `"mgr"` for an applier, `"mgr" using apps/v1` for an updater, with
    /// ` with subresource "status"` after the name when the entry is for a subresource.
    private static func managerLabel(_ entry: JSONValue, defaultAPIVersion: String) -> String {
        var label = NameValidation.quoted(entry["manager"]?.stringValue ?? "")
        if let subresource = entry["subresource"]?.stringValue, !subresource.isEmpty {
            label += " with subresource \(NameValidation.quoted(subresource))"
        }
        if entry["operation"]?.stringValue == "Update" {
            label += " using \(entry["apiVersion"]?.stringValue ?? defaultAPIVersion)"
        }
        return label
    }

    /// Removes the leaves of a field set from an object (fields an applier no longer sets).
    static func removeFields(_ trie: JSONValue, from object: inout JSONValue) {
        guard case .object(var members) = object else { return }
        for (key, child) in trie.objectValue ?? [:] where key.hasPrefix("f:") {
            let name = String(key.dropFirst(2))
            if (child.objectValue ?? [:]).isEmpty {
                if name != "apiVersion", name != "kind" { members[name] = nil }
            } else if var value = members[name] {
                removeFields(child, from: &value)
                members[name] = value
            }
        }
        object = .object(members)
    }
}
