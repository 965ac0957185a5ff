import KubeModels

/// `metadata` as the API server decodes it into the Go `ObjectMeta`: a field of the wrong JSON type
/// makes a built-in kind's write a 400, and is dropped from a custom resource (the apiextensions
/// server decodes custom resources' metadata field by field and discards what does not fit,
/// `objectmeta.GetObjectMetaWithOptions` with `DropMalformedFields`).
enum ObjectMetaCoercion {
    /// A value that does not fit a Go type: the JSON value Go's decoder stops at and the Go type it wanted.
    private typealias Misfit = (found: JSONValue, goType: String)

    /// How each ObjectMeta field is checked (null fits every field).
    private static let fields: [String: @Sendable (JSONValue) -> Misfit?] = [
        "name": scalar("string", isString), "generateName": scalar("string", isString),
        "namespace": scalar("string", isString), "selfLink": scalar("string", isString),
        "uid": scalar("types.UID", isString), "resourceVersion": scalar("string", isString),
        "generation": scalar("int64", isInteger), "deletionGracePeriodSeconds": scalar("int64", isInteger),
        "creationTimestamp": scalar("v1.Time", isTime), "deletionTimestamp": scalar("v1.Time", isTime),
        "labels": stringMap, "annotations": stringMap,
        "finalizers": list("[]string", element: scalar("string", isString)),
        "ownerReferences": list("[]v1.OwnerReference", element: { value in isOwnerReference(value) ? nil : (value, "v1.OwnerReference") }),
        "managedFields": list("[]v1.ManagedFieldsEntry", element: { value in value.objectValue != nil ? nil : (value, "v1.ManagedFieldsEntry") }),
    ]

    private static func scalar(_ goType: String, _ fits: @escaping @Sendable (JSONValue) -> Bool) -> @Sendable (JSONValue) -> Misfit? {
        { value in fits(value) ? nil : (value, goType) }
    }

    private static func list(_ goType: String, element: @escaping @Sendable (JSONValue) -> Misfit?) -> @Sendable (JSONValue) -> Misfit? {
        { value in
            if isNull(value) { return nil }
            guard let elements = value.arrayValue else { return (value, goType) }
            return elements.lazy.compactMap(element).first
        }
    }

    private static let stringMap: @Sendable (JSONValue) -> Misfit? = { value in
        if isNull(value) { return nil }
        guard let members = value.objectValue else { return (value, "map[string]string") }
        // Sorted only when something misfits, so the one named is the same every time.
        guard !members.values.allSatisfy(isString) else { return nil }
        return members.keys.sorted().lazy.compactMap { isString(members[$0]!) ? nil : (members[$0]!, "string") }.first
    }

    /// `object` with its metadata coerced; throws the real 400 for a built-in kind.
    static func apply(_ object: JSONValue, _ type: ResourceType) throws -> JSONValue {
        guard let metadata = object["metadata"] else { return object }
        guard case .object(var members) = metadata else {
            if type.builtin { throw mismatch(type, field: "\(type.kind).metadata", goType: "v1.ObjectMeta", found: metadata) }
            var result = object
            result["metadata"] = nil
            return result
        }
        let misfits = members.keys.sorted().compactMap { key in members[key].flatMap { fields[key]?($0) }.map { (key, $0) } }
        // Most writes: nothing to do, and no copy of the object.
        guard !misfits.isEmpty else { return object }
        for (key, misfit) in misfits {
            if type.builtin { throw mismatch(type, field: "ObjectMeta.metadata.\(key)", goType: misfit.goType, found: misfit.found) }
            members[key] = nil
        }
        var result = object
        result["metadata"] = .object(members)
        return result
    }

    private static func mismatch(_ type: ResourceType, field: String, goType: String, found: JSONValue) -> APIError {
        let kind: String
        switch found {
        case .string: kind = "string"
        case .int, .double: kind = "number"
        case .bool: kind = "bool"
        case .array: kind = "array"
        case .object: kind = "object"
        case .null: kind = "null"
        }
        return APIError.badRequest(
            "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): json: cannot unmarshal \(kind) into Go struct field \(field) of type \(goType)")
    }

    private static func isNull(_ value: JSONValue) -> Bool { value == .null }
    private static func isString(_ value: JSONValue) -> Bool { value.stringValue != nil || isNull(value) }
    private static func isInteger(_ value: JSONValue) -> Bool { value.intValue != nil || isNull(value) }
    private static func isTime(_ value: JSONValue) -> Bool {
        guard let text = value.stringValue else { return isNull(value) }
        return text.isEmpty || Timestamp(rfc3339: text) != nil
    }
    private static func isStringMap(_ value: JSONValue) -> Bool {
        guard let members = value.objectValue else { return isNull(value) }
        return members.values.allSatisfy(isString)
    }
    private static func isOwnerReference(_ value: JSONValue) -> Bool {
        guard let members = value.objectValue else { return false }
        return members.allSatisfy { key, member in
            switch key {
            case "controller", "blockOwnerDeletion": return member.boolValue != nil || isNull(member)
            default: return isString(member)
            }
        }
    }
}
