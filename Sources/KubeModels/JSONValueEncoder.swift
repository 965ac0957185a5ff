/// Encodes `Encodable` values to a ``JSONValue`` tree, the mirror of ``JSONValueDecoder``.
///
/// With ``JSONWriter`` this is how clients write objects: a `JSONValue` field (a pod template) is
/// a plain copy of its subtree, so a template nested as deep as the API server allows costs no
/// recursion, where Foundation's `JSONEncoder` recurses once per level and exhausts the stack.
/// Like `JSONEncoder`, a non-finite floating-point number is an error, not `null`.
public struct JSONValueEncoder {
    public init() {}

    /// The tree of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try EncodingNode.encode(value, codingPath: []).resolved
    }

    /// The compact JSON bytes of `value`, keys sorted.
    public func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] { JSONWriter.bytes(try encode(value)) }
}

/// One value being encoded: a finished value, or a container whose children may still change.
private final class EncodingNode {
    var value: JSONValue?
    var members: [String: EncodingNode]?
    var elements: [EncodingNode]?

    init(_ value: JSONValue? = nil) { self.value = value }

    /// The finished tree. Recursion follows the depth of the Swift types, not of `JSONValue` fields.
    var resolved: JSONValue {
        if let members { return .object(members.mapValues(\.resolved)) }
        if let elements { return .array(elements.map(\.resolved)) }
        return value ?? .object([:])
    }

    static func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> EncodingNode {
        switch value {
        case let json as JSONValue: return EncodingNode(json)
        case let text as String: return EncodingNode(.string(text))
        case let flag as Bool: return EncodingNode(.bool(flag))
        case let number as Double: return EncodingNode(try finite(number, codingPath))
        case let number as Float: return EncodingNode(try finite(Double(number), codingPath))
        case let number as Int: return EncodingNode(.int(Int64(number)))
        case let number as Int64: return EncodingNode(.int(number))
        case let number as Int32: return EncodingNode(.int(Int64(number)))
        case let number as Int16: return EncodingNode(.int(Int64(number)))
        case let number as Int8: return EncodingNode(.int(Int64(number)))
        case let number as UInt8: return EncodingNode(.int(Int64(number)))
        case let number as UInt16: return EncodingNode(.int(Int64(number)))
        case let number as UInt32: return EncodingNode(.int(Int64(number)))
        case let number as UInt: return EncodingNode(Int64(exactly: number).map(JSONValue.int) ?? .double(Double(number)))
        case let number as UInt64: return EncodingNode(Int64(exactly: number).map(JSONValue.int) ?? .double(Double(number)))
        default:
            let node = EncodingNode()
            try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
            return node
        }
    }

    private static func finite(_ number: Double, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard number.isFinite else {
            throw EncodingError.invalidValue(number, .init(codingPath: codingPath, debugDescription: "\(number) is not valid in JSON"))
        }
        return .double(number)
    }
}

private struct TreeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.members == nil { node.members = [:] }
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.elements == nil { node.elements = [] }
        return UnkeyedTreeEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoder(node: node, codingPath: codingPath) }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "[\(intValue ?? 0)]" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func put(_ child: EncodingNode, _ key: Key) { node.members![key.stringValue] = child }

    func encodeNil(forKey key: Key) { put(EncodingNode(.null), key) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try EncodingNode.encode(value, codingPath: codingPath + [key]), key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        put(child, key)
        return TreeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        put(child, key)
        return TreeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodingNode()
        put(child, key)
        return TreeEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int { node.elements!.count }

    private func append(_ child: EncodingNode) { node.elements!.append(child) }

    mutating func encodeNil() { append(EncodingNode(.null)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try EncodingNode.encode(value, codingPath: codingPath + [IndexKey(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        append(child)
        return TreeEncoder(node: child, codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        append(child)
        return TreeEncoder(node: child, codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        append(child)
        return TreeEncoder(node: child, codingPath: path)
    }
}

private struct SingleTreeEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() { node.value = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let encoded = try EncodingNode.encode(value, codingPath: codingPath)
        node.value = encoded.value
        node.members = encoded.members
        node.elements = encoded.elements
    }
}
