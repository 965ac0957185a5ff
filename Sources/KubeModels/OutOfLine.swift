/// An optional value kept behind a reference: the struct holding it stores 8 bytes instead of the
/// value's full size, whether the value is set or not. For large, rarely set parts of objects the
/// caches hold by the thousand (a Rollout's gate hooks take 864 bytes inline when unset), and that
/// are copied whole wherever the object is read.
///
/// Coded as the value itself: absent when nil (with the container overloads below, which the
/// synthesized `Codable` of a struct using the wrapper picks).
@propertyWrapper
public struct OutOfLine<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    public init(wrappedValue: Value?) {
        box = wrappedValue.map(Box.init)
    }

    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.wrappedValue == rhs.wrappedValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(wrappedValue) }
}

extension OutOfLine: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(wrappedValue: container.decodeNil() ? nil : try container.decode(Value.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue { try container.encode(value) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key (or null) is nil, as for a plain optional property.
    public func decode<Value: Codable>(_ type: OutOfLine<Value>.Type, forKey key: Key) throws -> OutOfLine<Value> {
        OutOfLine(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    /// Nil is left out, as for a plain optional property.
    public mutating func encode<Value: Codable>(_ value: OutOfLine<Value>, forKey key: Key) throws {
        try encodeIfPresent(value.wrappedValue, forKey: key)
    }
}
