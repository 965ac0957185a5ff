import KubeModels

/// A parsed `labelSelector` query (`a=b,c!=d,e in (f,g),h notin (i),j,!k`), KUBE-API.md §3.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    var requirements: [Requirement]

    /// Parses the selector text; throws a 400 for syntax it does not understand.
    init(parsing text: String) throws {
        requirements = []
        for clause in Self.splitClauses(text) {
            let part = clause.trimmingSpaces
            if part.isEmpty { continue }
            if part.hasPrefix("!") {
                requirements.append(.notExists(String(part.dropFirst()).trimmingSpaces))
            } else if let range = part.range(of: " notin ") {
                requirements.append(.notIn(String(part[..<range.lowerBound]).trimmingSpaces,
                                           try Self.values(String(part[range.upperBound...]))))
            } else if let range = part.range(of: " in ") {
                requirements.append(.isIn(String(part[..<range.lowerBound]).trimmingSpaces,
                                          try Self.values(String(part[range.upperBound...]))))
            } else if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]).trimmingSpaces,
                                               String(part[range.upperBound...]).trimmingSpaces))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]).trimmingSpaces,
                                            String(part[range.upperBound...]).trimmingSpaces))
            } else if part.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(part))
            } else {
                throw APIError.badRequest("unable to parse requirement: found '\(part)', expected: in, notin, =, ==, !=, gt, lt")
            }
        }
    }

    /// Builds the selector of a `LabelSelector` object (`matchLabels` + `matchExpressions`).
    init(object: JSONValue) {
        requirements = []
        for (key, value) in object["matchLabels"]?.objectValue ?? [:] {
            requirements.append(.equals(key, value.stringValue ?? ""))
        }
        for expression in object["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch expression["operator"]?.stringValue {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            case "DoesNotExist": requirements.append(.notExists(key))
            default: break
            }
        }
    }

    /// Whether `labels` satisfy every requirement.
    func matches(_ labels: [String: JSONValue]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key]?.stringValue == value
            case .notEquals(let key, let value): return labels[key]?.stringValue != value
            case .isIn(let key, let values): return labels[key]?.stringValue.map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key]?.stringValue.map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .notExists(let key): return labels[key] == nil
            }
        }
    }

    /// The selector rendered as text, as `Scale.status.selector` carries it.
    var text: String {
        requirements.map { requirement in
            switch requirement {
            case .equals(let key, let value): return "\(key)=\(value)"
            case .notEquals(let key, let value): return "\(key)!=\(value)"
            case .isIn(let key, let values): return "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn(let key, let values): return "\(key) notin (\(values.sorted().joined(separator: ",")))"
            case .exists(let key): return key
            case .notExists(let key): return "!\(key)"
            }
        }.sorted().joined(separator: ",")
    }

    /// Splits on commas that are not inside parentheses.
    private static func splitClauses(_ text: String) -> [String] {
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                clauses.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        clauses.append(current)
        return clauses
    }

    private static func values(_ text: String) throws -> Set<String> {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else {
            throw APIError.badRequest("unable to parse requirement: expected '(' in \(text)")
        }
        return Set(trimmed.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces })
    }
}

/// A parsed `fieldSelector` query: `=`, `==`, `!=`, comma for AND (KUBE-API.md §3).
struct FieldSelector: Sendable {
    struct Requirement: Sendable {
        var field: String
        var value: String
        var negated: Bool
    }

    var requirements: [Requirement]

    init(parsing text: String) throws {
        requirements = []
        for clause in text.split(separator: ",") {
            let part = String(clause)
            if let range = part.range(of: "!=") {
                requirements.append(Requirement(field: String(part[..<range.lowerBound]),
                                                value: String(part[range.upperBound...]), negated: true))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(Requirement(field: String(part[..<range.lowerBound]),
                                                value: String(part[range.upperBound...]), negated: false))
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
        }
    }

    /// Rejects fields the resource cannot select on, with the real server's 400 message.
    func validate(for type: ResourceType) throws {
        for requirement in requirements where !FieldSelector.supported(requirement.field, type) {
            throw APIError.badRequest(
                "field label not supported: \(requirement.field)")
        }
    }

    static func supported(_ field: String, _ type: ResourceType) -> Bool {
        if field == "metadata.name" || field == "metadata.namespace" { return true }
        if type.selectableFields.contains(field) { return true }
        switch (type.group, type.plural) {
        case ("", "events"), ("events.k8s.io", "events"):
            return field.hasPrefix("involvedObject.") || field.hasPrefix("regarding.")
                || ["reason", "type", "source", "reportingComponent", "reportingController"].contains(field)
        case ("", "pods"):
            return ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "status.phase", "status.podIP", "status.nominatedNodeName", "spec.hostNetwork"].contains(field)
        case ("", "namespaces"): return field == "status.phase"
        case ("", "secrets"): return field == "type"
        default: return false
        }
    }

    /// Whether `object` satisfies every requirement (missing fields compare as empty strings).
    func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let actual = FieldSelector.value(of: requirement.field, in: object)
            return (actual == requirement.value) != requirement.negated
        }
    }

    static func value(of field: String, in object: JSONValue) -> String {
        var path = field.split(separator: ".").map(String.init)
        if path.first == "source", object["source"]?.objectValue != nil { path = ["source", "component"] }
        guard let value = object[path: path] else { return "" }
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return ""
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
