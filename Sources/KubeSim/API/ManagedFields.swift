import KubeModels

/// `metadata.managedFields` bookkeeping (KUBE-API.md §2, §8): field sets in the FieldsV1 trie
/// form (`{"f:spec":{"f:replicas":{}}}`), one entry per manager, operation and subresource.
/// Lists are treated as atomic leaves, which keeps ownership coarse but never loses data; so are
/// objects below ``maximumDepth`` (the API server tracks them to any depth, but no field manager
/// shares ownership that deep, and the trie functions recurse once per level).
enum ManagedFields {
    /// Trie levels tracked; a deeper object is one leaf.
    static let maximumDepth = 64

    /// Metadata fields the server owns; they are never part of a manager's set.
    static let serverMetadata: Set<String> = [
        "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp",
        "deletionGracePeriodSeconds", "name", "namespace", "generateName", "selfLink",
    ]

    /// The field set of everything in `value`.
    static func fieldSet(of value: JSONValue, top: Bool = true, depth: Int = 0) -> JSONValue {
        guard case .object(let members) = value, depth < maximumDepth else { return .object([:]) }
        var trie: [String: JSONValue] = [:]
        for (key, member) in members {
            if top, key == "apiVersion" || key == "kind" { continue }
            if top, key == "metadata" {
                var metadata = member.objectValue ?? [:]
                for drop in serverMetadata { metadata[drop] = nil }
                if !metadata.isEmpty { trie["f:metadata"] = fieldSet(of: .object(metadata), top: false, depth: 1) }
                continue
            }
            if case .object(let child) = member, !child.isEmpty {
                trie["f:\(key)"] = fieldSet(of: member, top: false, depth: depth + 1)
            } else {
                trie["f:\(key)"] = .object([:])
            }
        }
        return .object(trie)
    }

    /// The fields whose values differ between `old` and `new` (added, changed or removed).
    static func changedFields(_ old: JSONValue?, _ new: JSONValue) -> JSONValue {
        guard let old else { return fieldSet(of: new) }
        return diff(old, new, top: true, depth: 0) ?? .object([:])
    }

    private static func diff(_ old: JSONValue, _ new: JSONValue, top: Bool, depth: Int) -> JSONValue? {
        guard case .object(let oldMembers) = old, case .object(let newMembers) = new, depth < maximumDepth else {
            if old == new { return Optional<JSONValue>.none }
            return .object([:])
        }
        var trie: [String: JSONValue] = [:]
        for key in Set(oldMembers.keys).union(newMembers.keys) {
            if top, ["apiVersion", "kind"].contains(key) { continue }
            if top, key == "metadata" {
                var oldMeta = oldMembers[key]?.objectValue ?? [:]
                var newMeta = newMembers[key]?.objectValue ?? [:]
                for drop in serverMetadata {
                    oldMeta[drop] = nil
                    newMeta[drop] = nil
                }
                if let child = diff(.object(oldMeta), .object(newMeta), top: false, depth: 1) { trie["f:metadata"] = child }
                continue
            }
            let before = oldMembers[key] ?? .null
            let after = newMembers[key] ?? .null
            if before == after { continue }
            if case .object = before, case .object = after {
                if let child = diff(before, after, top: false, depth: depth + 1) { trie["f:\(key)"] = child }
            } else if before == .null, case .object(let members) = after, !members.isEmpty, depth + 1 < maximumDepth {
                // A map the write created: the map itself (".") and its fields, as the API server
                // records `kubectl label` on an object without labels.
                var created = fieldSet(of: after, top: false, depth: depth + 1).objectValue ?? [:]
                created["."] = .object([:])
                trie["f:\(key)"] = .object(created)
            } else {
                trie["f:\(key)"] = .object([:])
            }
        }
        if trie.isEmpty { return Optional<JSONValue>.none }
        return .object(trie)
    }

    static func union(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        var result = a.objectValue ?? [:]
        for (key, value) in b.objectValue ?? [:] {
            result[key] = result[key].map { union($0, value) } ?? value
        }
        return .object(result)
    }

    /// `a` without the leaves of `b` (a leaf of `b` removes the whole subtree of `a` under it).
    static func subtract(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        var result = a.objectValue ?? [:]
        for (key, value) in b.objectValue ?? [:] {
            guard let existing = result[key] else { continue }
            if (value.objectValue ?? [:]).isEmpty {
                result[key] = nil
            } else {
                let rest = subtract(existing, value)
                // Careful: JSONValue is ExpressibleByNilLiteral, so a ternary with `nil` would store `.null`.
                if (rest.objectValue ?? [:]).isEmpty && !(existing.objectValue ?? [:]).isEmpty {
                    result.removeValue(forKey: key)
                } else {
                    result[key] = rest
                }
            }
        }
        return .object(result)
    }

    /// Leaf paths present in both sets, as dotted paths (`.spec.replicas`).
    static func intersection(_ a: JSONValue, _ b: JSONValue, prefix: String = "") -> [String] {
        var paths: [String] = []
        for (key, value) in b.objectValue ?? [:] {
            guard let other = a.objectValue?[key] else { continue }
            let path = prefix + "." + key.dropFirst(2)
            let leafA = (other.objectValue ?? [:]).isEmpty
            let leafB = (value.objectValue ?? [:]).isEmpty
            if leafA || leafB {
                paths.append(path)
            } else {
                paths += intersection(other, value, prefix: path)
            }
        }
        return paths.sorted()
    }

    /// Records a write by `manager`: it takes the fields it set from every other manager, and
    /// its own entry for this operation/subresource grows by them (or is replaced, for Apply).
    static func record(
        in object: inout JSONValue, manager: String, operation: String, apiVersion: String, subresource: String?,
        fields: JSONValue, replace: Bool, takeFrom: JSONValue? = nil
    ) {
        let taken = takeFrom ?? fields
        var entries = object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        var mine: JSONValue = fields
        entries = entries.compactMap { entry in
            let sameOwner = entry["manager"]?.stringValue == manager && entry["operation"]?.stringValue == operation
                && entry["subresource"]?.stringValue == subresource
            if sameOwner {
                if !replace { mine = union(entry["fieldsV1"] ?? .object([:]), fields) }
                return nil
            }
            var entry = entry
            let remaining = subtract(entry["fieldsV1"] ?? .object([:]), taken)
            if (remaining.objectValue ?? [:]).isEmpty { return nil }
            entry["fieldsV1"] = remaining
            return entry
        }
        if !(mine.objectValue ?? [:]).isEmpty {
            var entry: [String: JSONValue] = [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                "time": .string(APIServer.now()), "fieldsType": "FieldsV1", "fieldsV1": mine,
            ]
            if let subresource { entry["subresource"] = .string(subresource) }
            entries.append(.object(entry))
        }
        object.set(path: ["metadata", "managedFields"], to: entries.isEmpty ? Optional<JSONValue>.none : .array(entries))
    }

    /// The manager name a request writes as: `fieldManager`, else derived from the User-Agent
    /// (`kubectl/v1.32.4 (...)` → `kubectl`), as the real server does.
    static func manager(_ request: HTTPRequest) -> String {
        if let name = request.query["fieldManager"], !name.isEmpty { return name }
        let agent = request.headers["user-agent"] ?? "unknown"
        let first = agent.split(separator: "/").first.map(String.init) ?? agent
        return first.isEmpty ? "unknown" : first
    }
}
