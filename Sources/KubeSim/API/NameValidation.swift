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
        switch rule {
        case .dns1123Subdomain:
            var problems: [String] = []
            if name.utf8.count > 253 { problems.append("must be no more than 253 characters") }
            if !matches(name, subdomain) {
                problems.append(regexError(
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                    subdomainPattern, examples: ["example.com"]))
            }
            return problems
        case .dns1123Label:
            var problems: [String] = []
            if name.utf8.count > 63 { problems.append("must be no more than 63 characters") }
            if !matches(name, label1123) {
                problems.append(regexError(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    label1123Pattern, examples: ["my-name", "123-abc"]))
            }
            return problems
        case .dns1035Label:
            var problems: [String] = []
            if name.utf8.count > 63 { problems.append("must be no more than 63 characters") }
            if !matches(name, label1035) {
                problems.append(regexError(
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                    label1035Pattern, examples: ["my-name", "abc-123"]))
            }
            return problems
        case .pathSegment:
            // path.IsValidPathSegmentName
            if name == "." || name == ".." { return ["may not be '\(name)'"] }
            var problems: [String] = []
            for illegal in ["/", "%"] where name.contains(illegal) { problems.append("may not contain '\(illegal)'") }
            return problems
        }
    }

    private static let label1123Pattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    private static let subdomainPattern = label1123Pattern + "(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    private static let label1035Pattern = "[a-z]([-a-z0-9]*[a-z0-9])?"

    private static func matches(_ name: String, _ check: (Substring) -> Bool) -> Bool { check(name[...]) }

    private static func isAlphanumeric(_ c: Character) -> Bool { c.isASCII && (("a"..."z").contains(c) || ("0"..."9").contains(c)) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, without a regex engine.
    private static func label1123(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return text.allSatisfy { isAlphanumeric($0) || $0 == "-" }
    }

    private static func subdomain(_ text: Substring) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(label1123)
    }

    private static func label1035(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, ("a"..."z").contains(first) else { return false }
        return label1123(text)
    }

    /// `validation.RegexError`: the message, the examples and the regex, spaced as Go writes them.
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
