import KubeModels
import Yams

/// YAML documents (CRD files, apply bodies) to ``JSONValue``, with YAML 1.1 core-schema typing
/// (`true`, `3`, `1.5`, `null`) except that timestamps stay strings, as Kubernetes reads them.
enum YAMLBridge {
    /// The first document of `text`.
    static func parse(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return convert(node)
    }

    /// Every non-empty document of a multi-document stream.
    static func parseAll(_ text: String) throws -> [JSONValue] {
        try Yams.compose_all(yaml: text).map(convert).filter { !$0.isNull }
    }

    private static func convert(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping { members[key.string ?? ""] = convert(value) }
            return .object(members)
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .alias:
            return .null
        }
    }
}
