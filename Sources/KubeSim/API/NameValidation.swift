import KubeModels

/// The object-name rules of the real API server (k8s.io/apimachinery `util/validation` and each
/// kind's `Validate<Kind>Name`), with its exact messages: most kinds take a DNS-1123 subdomain,
/// Namespaces a DNS-1123 label, Services a DNS-1035 label, and the RBAC kinds any path segment.
enum NameValidation {
    /// The rule a kind's names follow.
    enum Rule: Equatable {
        case dns1123Subdomain
        case dns1123Label
        case dns1035Label
        case pathSegment
    }

    static func rule(for type: ResourceType) -> Rule {
        switch (type.group, type.kind) {
        case ("", "Namespace"): return .dns1123Label
        case ("", "Service"): return .dns1035Label
        case ("rbac.authorization.k8s.io", _): return .pathSegment
        default: return .dns1123Subdomain
        }
    }

    /// The causes (422 Invalid) for a new object's `metadata.generateName` (checked as a prefix:
    /// a trailing '-' is fine) and `metadata.name`, in ValidateObjectMeta's order; empty when both
    /// are valid. CRDs are left to their own `plural.group` rule (ObjectRules).
    static func causes(_ name: String, generateName: String? = nil, _ type: ResourceType) -> [StatusCause] {
        if type.group == "apiextensions.k8s.io", type.kind == "CustomResourceDefinition" { return [] }
        var causes: [StatusCause] = []
        if let generateName, !generateName.isEmpty {
            let masked = generateName.hasSuffix("-") ? generateName.dropLast() + "a" : generateName
            causes += problems(masked, rule(for: type)).map {
                StatusCause(
                    reason: "FieldValueInvalid", message: "Invalid value: \(quoted(generateName)): \($0)", field: "metadata.generateName")
            }
        }
        causes += problems(name, rule(for: type)).map {
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(quoted(name)): \($0)", field: "metadata.name")
        }
        return causes
    }

    static func problems(_ name: String, _ rule: Rule) -> [String] {
        guard let shape = DNSShape(rule) else {
            // path.IsValidPathSegmentName
            if name == "." || name == ".." { return ["may not be '\(name)'"] }
            return ["/", "%"].filter { name.contains($0) }.map { "may not contain '\($0)'" }
        }
        var problems: [String] = []
        if name.utf8.count > shape.maxLength { problems.append("must be no more than \(shape.maxLength) characters") }
        if !shape.matches(name) { problems.append(regexError(shape.message, shape.pattern, examples: shape.examples)) }
        return problems
    }

    /// A DNS rule as `util/validation` states it: its length, its shape, and the message and regex
    /// it reports.
    private struct DNSShape {
        var maxLength: Int
        var matches: (String) -> Bool
        var message: String
        var pattern: String
        var examples: [String]

        private static let label1123 = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"

        init?(_ rule: Rule) {
            switch rule {
            case .dns1123Subdomain:
                self.init(
                    maxLength: 253, matches: { DNSName.isRFC1123Subdomain($0) },
                    message: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                    pattern: Self.label1123 + "(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", examples: ["example.com"])
            case .dns1123Label:
                self.init(
                    maxLength: 63, matches: { DNSName.isRFC1123Label($0) },
                    message: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    pattern: Self.label1123, examples: ["my-name", "123-abc"])
            case .dns1035Label:
                self.init(
                    maxLength: 63, matches: { DNSName.isRFC1035Label($0) },
                    message: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                    pattern: "[a-z]([-a-z0-9]*[a-z0-9])?", examples: ["my-name", "abc-123"])
            case .pathSegment:
                return nil
            }
        }

        private init(maxLength: Int, matches: @escaping (String) -> Bool, message: String, pattern: String, examples: [String]) {
            self.maxLength = maxLength
            self.matches = matches
            self.message = message
            self.pattern = pattern
            self.examples = examples
        }
    }

    private static func regexError(_ message: String, _ pattern: String, examples: [String]) -> String {
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'\(example)', "
        }
        return text + "regex used for validation is '\(pattern)')"
    }

    /// Go's `%q` for the plain names these messages quote.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
