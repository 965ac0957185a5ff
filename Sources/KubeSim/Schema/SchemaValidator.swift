import KubeModels

/// Structural-schema processing of custom resources (KUBE-API.md §11): prunes fields the schema
/// does not know (reporting them for `fieldValidation`), fills `default`s, and validates type,
/// required, enum, minimum/maximum, pattern, lengths and item counts, one cause per field.
struct SchemaValidator {
    /// The outcome of processing one object.
    struct Result {
        var object: JSONValue
        var causes: [StatusCause]
        /// Dotted paths of pruned unknown fields (`spec.foo`).
        var unknownFields: [String]
    }

    let schema: JSONValue

    /// Prunes, defaults and validates `object`.
    func process(_ object: JSONValue) -> Result {
        var unknown: [String] = []
        var causes: [StatusCause] = []
        var root = object.objectValue ?? [:]
        let properties = schema["properties"]?.objectValue ?? [:]
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        for (key, value) in root where !["apiVersion", "kind", "metadata"].contains(key) {
            if let child = properties[key] {
                root[key] = walk(value, child, path: key, unknown: &unknown, causes: &causes)
            } else if !preserve {
                root[key] = nil
                unknown.append(key)
            }
        }
        for (key, child) in properties where root[key] == nil && !["apiVersion", "kind", "metadata"].contains(key) {
            if let value = child["default"] {
                root[key] = walk(value, child, path: key, unknown: &unknown, causes: &causes)
            }
        }
        for case .string(let key) in schema["required"]?.arrayValue ?? [] where root[key] == nil {
            causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: key))
        }
        causes.sort { ($0.field ?? "") < ($1.field ?? "") }
        return Result(object: .object(root), causes: causes, unknownFields: unknown.sorted())
    }

    private func walk(
        _ value: JSONValue, _ schema: JSONValue, path: String, unknown: inout [String], causes: inout [StatusCause]
    ) -> JSONValue? {
        if value.isNull {
            // Null is pruned (then defaulted by the parent) unless the field is nullable.
            return (schema["nullable"]?.boolValue ?? false) ? value : nil
        }
        let intOrString = schema["x-kubernetes-int-or-string"]?.boolValue ?? false
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        if intOrString {
            if value.intValue == nil && value.stringValue == nil {
                causes.append(typeCause(path, value, "integer or string"))
            }
            return value
        }
        if let type = schema["type"]?.stringValue, !Self.matches(value, type: type) {
            causes.append(typeCause(path, value, type))
            return value
        }
        checkEnum(value, schema, path: path, causes: &causes)
        switch value {
        case .object(var members):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            for (key, member) in members {
                let childPath = "\(path).\(key)"
                if let child = properties?[key] {
                    members[key] = walk(member, child, path: childPath, unknown: &unknown, causes: &causes)
                } else if let additional, additional.objectValue != nil {
                    members[key] = walk(member, additional, path: childPath, unknown: &unknown, causes: &causes)
                } else if preserve || additional?.boolValue == true {
                    continue
                } else {
                    members[key] = nil
                    unknown.append(childPath)
                }
            }
            for (key, child) in properties ?? [:] where members[key] == nil {
                if let defaultValue = child["default"] {
                    members[key] = walk(defaultValue, child, path: "\(path).\(key)", unknown: &unknown, causes: &causes)
                }
            }
            for case .string(let key) in schema["required"]?.arrayValue ?? [] where members[key] == nil {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "\(path).\(key)"))
            }
            checkCount(members.count, schema, "Properties", path: path, causes: &causes)
            return .object(members)
        case .array(var elements):
            if let items = schema["items"] {
                for index in elements.indices {
                    elements[index] = walk(elements[index], items, path: "\(path)[\(index)]", unknown: &unknown, causes: &causes) ?? .null
                }
            }
            checkCount(elements.count, schema, "Items", path: path, causes: &causes)
            return .array(elements)
        case .string(let text):
            checkString(text, schema, path: path, causes: &causes)
            return value
        case .int, .double:
            checkNumber(value, schema, path: path, causes: &causes)
            return value
        default:
            return value
        }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool): return true
        case ("integer", .int): return true
        case ("integer", .double(let number)): return number.rounded() == number
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"\(text)\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        default: return JSONWriter.string(value)
        }
    }

    private func typeCause(_ path: String, _ value: JSONValue, _ type: String) -> StatusCause {
        let actual: String
        switch value {
        case .string: actual = "string"
        case .int, .double: actual = "number"
        case .bool: actual = "boolean"
        case .object: actual = "object"
        case .array: actual = "array"
        case .null: actual = "null"
        }
        return StatusCause(
            reason: "FieldValueTypeInvalid",
            message: "Invalid value: \"\(actual)\": \(path) in body must be of type \(type): \"\(actual)\"", field: path)
    }

    private func checkEnum(_ value: JSONValue, _ schema: JSONValue, path: String, causes: inout [StatusCause]) {
        guard let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) else { return }
        let list = allowed.map(Self.describe).joined(separator: ", ")
        causes.append(StatusCause(
            reason: "FieldValueNotSupported",
            message: "Unsupported value: \(Self.describe(value)): supported values: \(list)", field: path))
    }

    private func checkString(_ text: String, _ schema: JSONValue, path: String, causes: inout [StatusCause]) {
        if let maximum = schema["maxLength"]?.intValue, text.count > maximum {
            causes.append(StatusCause(
                reason: "FieldValueTooLong", message: "Too long: may not be more than \(maximum) bytes", field: path))
        }
        if let minimum = schema["minLength"]?.intValue, text.count < minimum {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \"\(text)\": \(path) in body should be at least \(minimum) chars long", field: path))
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern),
            (try? regex.firstMatch(in: text)) == nil
        {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \"\(text)\": \(path) in body should match '\(pattern)'", field: path))
        }
    }

    private func checkNumber(_ value: JSONValue, _ schema: JSONValue, path: String, causes: inout [StatusCause]) {
        guard let number = value.doubleValue else { return }
        let shown = JSONWriter.string(value)
        if let minimum = schema["minimum"]?.doubleValue {
            let exclusive = schema["exclusiveMinimum"]?.boolValue ?? false
            if exclusive ? number <= minimum : number < minimum {
                let bound = JSONWriter.string(schema["minimum"]!)
                causes.append(StatusCause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(shown): \(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(bound)",
                    field: path))
            }
        }
        if let maximum = schema["maximum"]?.doubleValue {
            let exclusive = schema["exclusiveMaximum"]?.boolValue ?? false
            if exclusive ? number >= maximum : number > maximum {
                let bound = JSONWriter.string(schema["maximum"]!)
                causes.append(StatusCause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(shown): \(path) in body should be less than \(exclusive ? "" : "or equal to ")\(bound)",
                    field: path))
            }
        }
    }

    private func checkCount(_ count: Int, _ schema: JSONValue, _ noun: String, path: String, causes: inout [StatusCause]) {
        if let maximum = schema["max\(noun)"]?.intValue, count > maximum {
            causes.append(StatusCause(
                reason: "FieldValueTooMany", message: "Too many: \(count): must have at most \(maximum) items", field: path))
        }
        if let minimum = schema["min\(noun)"]?.intValue, count < minimum {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \(count): \(path) in body should have at least \(minimum) \(noun.lowercased())",
                field: path))
        }
    }
}
