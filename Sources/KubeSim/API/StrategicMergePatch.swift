import KubeModels

/// Strategic merge patch for built-in kinds (KUBE-API.md §8): maps merge, lists with a merge key
/// (containers, env, volumes by `name`; container ports by `containerPort`; service ports by
/// `port`) merge element-wise, and the `$patch`, `$setElementOrder/…`, `$retainKeys` and
/// `$deleteFromPrimitiveList/…` directives apply. Lists without a merge key are replaced.
enum StrategicMergePatch {
    struct Failure: Error { var message: String }

    /// Applies `patch` to `original`, an object of Kind `kind`.
    static func apply(_ patch: JSONValue, to original: JSONValue, kind: String) throws -> JSONValue {
        guard patch.objectValue != nil else { throw Failure(message: "strategic merge patch must be a JSON object") }
        return try mergeObject(patch, original, path: [], kind: kind) ?? .object([:])
    }

    /// The merge key of the list at `key` under `path`, or `nil` when the list is replaced whole.
    static func mergeKey(for key: String, path: [String], kind: String) -> String? {
        switch key {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
            "subsets", "secrets":
            return "name"
        case "volumeMounts", "volumeDevices": return key == "volumeMounts" ? "mountPath" : "devicePath"
        case "ports":
            return (kind == "Service" && path == ["spec"]) ? "port" : "containerPort"
        case "conditions": return "type"
        case "ownerReferences": return "uid"
        case "hostAliases": return "ip"
        case "topologySpreadConstraints": return "topologyKey"
        default: return nil
        }
    }

    /// Primitive lists that merge as sets rather than being replaced.
    static func isMergedPrimitiveList(_ key: String) -> Bool { key == "finalizers" }

    private static func mergeObject(_ patch: JSONValue, _ original: JSONValue, path: [String], kind: String) throws -> JSONValue? {
        guard var patchMembers = patch.objectValue else { return patch }
        if let directive = patchMembers["$patch"]?.stringValue {
            patchMembers["$patch"] = nil
            switch directive {
            case "replace": return .object(patchMembers)
            case "delete": return nil
            case "merge": break
            default: throw Failure(message: "Unknown patch type: \(directive)")
            }
        }
        var result = original.objectValue ?? [:]
        var orders: [String: [JSONValue]] = [:]
        var retainKeys: [String]?
        for (key, value) in patchMembers {
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
            } else if key.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = Set((value.arrayValue ?? []).map(\.canonicalJSON))
                if let current = result[list]?.arrayValue {
                    result[list] = .array(current.filter { !removed.contains($0.canonicalJSON) })
                }
            } else if key == "$retainKeys" {
                retainKeys = (value.arrayValue ?? []).compactMap(\.stringValue)
            }
        }
        for (key, value) in patchMembers where !key.hasPrefix("$") {
            switch value {
            case .null:
                result[key] = nil
            case .object:
                let merged = try mergeObject(value, result[key] ?? .null, path: path + [key], kind: kind)
                result[key] = merged
            case .array(let elements):
                result[key] = try mergeList(key: key, elements, result[key]?.arrayValue ?? [], path: path, kind: kind)
            default:
                result[key] = value
            }
        }
        for (list, order) in orders {
            guard let mergeKey = mergeKey(for: list, path: path, kind: kind), let current = result[list]?.arrayValue else {
                continue
            }
            result[list] = .array(reorder(current, by: order, mergeKey: mergeKey))
        }
        if let retainKeys {
            let keep = Set(retainKeys).union(patchMembers.keys.filter { !$0.hasPrefix("$") })
            result = result.filter { keep.contains($0.key) }
        }
        return .object(result)
    }

    private static func mergeList(key: String, _ patch: [JSONValue], _ original: [JSONValue], path: [String], kind: String) throws -> JSONValue {
        if isMergedPrimitiveList(key) {
            var merged = original
            for element in patch where !merged.contains(element) { merged.append(element) }
            return .array(merged)
        }
        guard let mergeKey = mergeKey(for: key, path: path, kind: kind) else {
            return .array(try patch.map { try stripDirectives($0) })
        }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(try patch.filter { $0["$patch"] == nil }.map { try stripDirectives($0) })
        }
        var merged = original
        for element in patch {
            let identity = element[mergeKey]
            let position = merged.firstIndex { identity != nil && $0[mergeKey] == identity }
            if element["$patch"]?.stringValue == "delete" {
                if let position { merged.remove(at: position) }
                continue
            }
            if let position {
                merged[position] = try mergeObject(element, merged[position], path: path + [key], kind: kind) ?? merged[position]
            } else {
                merged.append(try stripDirectives(element))
            }
        }
        return .array(merged)
    }

    private static func reorder(_ list: [JSONValue], by order: [JSONValue], mergeKey: String) -> [JSONValue] {
        var remaining = list
        var ordered: [JSONValue] = []
        for entry in order {
            if let position = remaining.firstIndex(where: { $0[mergeKey] == entry[mergeKey] }) {
                ordered.append(remaining.remove(at: position))
            }
        }
        return ordered + remaining
    }

    private static func stripDirectives(_ value: JSONValue) throws -> JSONValue {
        switch value {
        case .object(let members):
            var clean: [String: JSONValue] = [:]
            for (key, member) in members where !key.hasPrefix("$") { clean[key] = try stripDirectives(member) }
            return .object(clean)
        case .array(let elements): return .array(try elements.map(stripDirectives))
        default: return value
        }
    }
}
