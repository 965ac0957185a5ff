/// Serializes ``JSONValue`` to compact UTF-8 JSON with object keys sorted by their UTF-8 bytes:
/// the same value always gives the same bytes (on every platform and in every process), so the
/// output can be cached and hashed. Non-finite numbers, which JSON cannot carry, are written `null`.
///
/// The writer keeps its own stack, so a document nested 10,000 levels deep (what the API server
/// accepts) costs heap, not the thread's stack.
public enum JSONWriter {
    /// The bytes of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The text of `value`.
    public static func string(_ value: JSONValue) -> String { String(decoding: bytes(value), as: UTF8.self) }

    /// A container being written: what is left of it after `next`.
    private enum Open {
        case array([JSONValue], next: Int)
        case object([(key: String, value: JSONValue)], next: Int)
    }

    /// Appends `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        var open: [Open] = []
        var pending: JSONValue? = value
        while true {
            if let value = pending {
                pending = nil
                switch value {
                case .array(let elements):
                    out.append(UInt8(ascii: "["))
                    open.append(.array(elements, next: 0))
                case .object(let members):
                    out.append(UInt8(ascii: "{"))
                    let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                    open.append(.object(sorted.map { (key: $0.key, value: $0.value) }, next: 0))
                default: writeScalar(value, into: &out)
                }
            }
            // The next member of the innermost open container, closing those that are done.
            guard let container = open.popLast() else { return }
            switch container {
            case .array(let elements, let next):
                if next == elements.count {
                    out.append(UInt8(ascii: "]"))
                    continue
                }
                if next > 0 { out.append(UInt8(ascii: ",")) }
                pending = elements[next]
                open.append(.array(elements, next: next + 1))
            case .object(let members, let next):
                if next == members.count {
                    out.append(UInt8(ascii: "}"))
                    continue
                }
                if next > 0 { out.append(UInt8(ascii: ",")) }
                writeString(members[next].key, into: &out)
                out.append(UInt8(ascii: ":"))
                pending = members[next].value
                open.append(.object(members, next: next + 1))
            }
        }
    }

    private static func writeScalar(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isFinite, number.rounded() == number, abs(number) < 9.0e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else if number.isFinite {
                out.append(contentsOf: "\(number)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let text): writeString(text, into: &out)
        case .array, .object: preconditionFailure("containers are written by write(_:into:)")
        }
    }

    /// Appends `text` as a JSON string literal, escaped as RFC 8259 requires.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
