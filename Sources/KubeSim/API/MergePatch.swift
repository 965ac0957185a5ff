import KubeModels

/// RFC 7386 JSON merge patch and RFC 6902 JSON patch (KUBE-API.md §8).
enum MergePatch {
    /// Applies a merge patch: objects merge recursively, `null` deletes, anything else replaces.
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}

/// RFC 6902 operations; failures become 422 as the API server reports them.
enum JSONPatch {
    struct Failure: Error { var message: String }

    static func apply(_ patch: JSONValue, to target: JSONValue) throws -> JSONValue {
        guard let operations = patch.arrayValue else { throw Failure(message: "json patch must be an array of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(message: "json patch operation needs op and path")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw Failure(message: "missing value for add") }
                document = try add(document, pointer[...], value, replaceOnly: false)
            case "replace":
                guard let value = operation["value"] else { throw Failure(message: "missing value for replace") }
                guard get(document, pointer[...]) != nil else {
                    throw Failure(message: "replace operation does not apply: doc is missing key: \(path): missing value")
                }
                document = try add(document, pointer[...], value, replaceOnly: true)
            case "remove":
                guard get(document, pointer[...]) != nil else {
                    throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")
                }
                document = try remove(document, pointer[...])
            case "test":
                let expected = operation["value"] ?? .null
                guard let actual = get(document, pointer[...]), actual == expected else {
                    throw Failure(message: "testing value \(path) failed: test failed")
                }
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(message: "missing from for \(op)") }
                let source = try parsePointer(from)
                guard let value = get(document, source[...]) else {
                    throw Failure(message: "\(op) operation does not apply: doc is missing from path: \(from)")
                }
                if op == "move" { document = try remove(document, source[...]) }
                document = try add(document, pointer[...], value, replaceOnly: false)
            default:
                throw Failure(message: "Unexpected kind: \(op)")
            }
        }
        return document
    }

    private static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ document: JSONValue, _ pointer: ArraySlice<String>) -> JSONValue? {
        guard let head = pointer.first else { return document }
        switch document {
        case .object(let members): return members[head].flatMap { get($0, pointer.dropFirst()) }
        case .array(let elements):
            guard let index = Int(head), elements.indices.contains(index) else { return nil }
            return get(elements[index], pointer.dropFirst())
        default: return nil
        }
    }

    private static func add(_ document: JSONValue, _ pointer: ArraySlice<String>, _ value: JSONValue, replaceOnly: Bool) throws -> JSONValue {
        guard let head = pointer.first else { return value }
        let rest = pointer.dropFirst()
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[head] = value
            } else {
                guard let child = members[head] else {
                    throw Failure(message: "add operation does not apply: doc is missing path: /\(pointer.joined(separator: "/")): missing value")
                }
                members[head] = try add(child, rest, value, replaceOnly: replaceOnly)
            }
            return .object(members)
        case .array(var elements):
            if rest.isEmpty {
                if head == "-" && !replaceOnly {
                    elements.append(value)
                } else if let index = Int(head), index >= 0, index <= elements.count {
                    if replaceOnly {
                        guard index < elements.count else { throw Failure(message: "replace index out of bounds") }
                        elements[index] = value
                    } else {
                        elements.insert(value, at: index)
                    }
                } else {
                    throw Failure(message: "add operation does not apply: index out of bounds: \(head)")
                }
            } else {
                guard let index = Int(head), elements.indices.contains(index) else {
                    throw Failure(message: "index out of bounds: \(head)")
                }
                elements[index] = try add(elements[index], rest, value, replaceOnly: replaceOnly)
            }
            return .array(elements)
        default:
            throw Failure(message: "add operation does not apply: doc is missing path: /\(pointer.joined(separator: "/"))")
        }
    }

    private static func remove(_ document: JSONValue, _ pointer: ArraySlice<String>) throws -> JSONValue {
        guard let head = pointer.first else { return .null }
        let rest = pointer.dropFirst()
        switch document {
        case .object(var members):
            if rest.isEmpty { members[head] = nil } else if let child = members[head] {
                members[head] = try remove(child, rest)
            }
            return .object(members)
        case .array(var elements):
            guard let index = Int(head), elements.indices.contains(index) else { throw Failure(message: "index out of bounds: \(head)") }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = try remove(elements[index], rest) }
            return .array(elements)
        default:
            throw Failure(message: "remove operation does not apply")
        }
    }
}
