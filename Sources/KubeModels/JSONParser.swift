
/// A strict RFC 8259 parser from UTF-8 bytes to ``JSONValue``, written for speed: request bodies
/// and stored objects go through it on every write, and Foundation's decoder is several times slower.
public struct JSONParser {
    /// Why a document could not be parsed, with the byte offset, for a 400 BadRequest message.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at offset \(offset)" }
    }

    private let bytes: [UInt8]
    private var index = 0

    /// How deep containers may nest by default: the API server's limit (Go's `encoding/json`
    /// refuses documents nested deeper than 10,000 levels).
    public static let defaultMaximumDepth = 10_000

    /// Parses one JSON document; trailing non-space bytes are an error. Containers nested deeper
    /// than `maximumDepth` are refused. The parser keeps its own stack, so depth costs heap, not
    /// the thread's stack.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.parseDocument(maximumDepth: maximumDepth)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Failure(message: "unexpected trailing data", offset: parser.index) }
        return value
    }

    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws -> JSONValue {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

    /// An open container: the elements or members read so far (and the key whose value comes next).
    private enum Open {
        case array([JSONValue])
        case object([String: JSONValue], key: String)
    }

    private mutating func parseDocument(maximumDepth: Int) throws -> JSONValue {
        var open: [Open] = []
        while true {
            // Read a value, or open a container and read its first value.
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            var value: JSONValue
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[index] == UInt8(ascii: "{")
                guard open.count < maximumDepth else { throw fail("document nested too deeply (more than \(maximumDepth) levels)") }
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: isObject ? "}" : "]") {
                    index += 1
                    value = isObject ? .object([:]) : .array([])
                } else {
                    open.append(isObject ? .object([:], key: try parseKey()) : .array([]))
                    continue
                }
            case UInt8(ascii: "\""): value = .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = try parseNumber()
            default: throw fail("invalid character '\(Character(Unicode.Scalar(bytes[index])))' looking for beginning of value")
            }
            // Put the value in its container; close every container that ends here.
            while true {
                guard let container = open.popLast() else { return value }
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                let byte = bytes[index]
                index += 1
                switch container {
                case .array(var elements):
                    elements.append(value)
                    if byte == UInt8(ascii: ",") {
                        open.append(.array(elements))
                    } else if byte == UInt8(ascii: "]") {
                        value = .array(elements)
                        continue
                    } else {
                        index -= 1
                        throw fail("expected ',' or ']'")
                    }
                case .object(var members, let key):
                    members[key] = value
                    if byte == UInt8(ascii: ",") {
                        open.append(.object(members, key: try parseKey()))
                    } else if byte == UInt8(ascii: "}") {
                        value = .object(members)
                        continue
                    } else {
                        index -= 1
                        throw fail("expected ',' or '}'")
                    }
                }
                break
            }
        }
    }

    /// `"key" :` of an object member.
    private mutating func parseKey() throws -> String {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected object key") }
        let key = try parseString()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        index += 1
        return key
    }

    private mutating func expectLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let pointer = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] {
            throw fail("invalid literal")
        }
        index += count
    }

    private mutating func parseString() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("invalid control character in string") }
            index += 1
        }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if byte < 0x20 { throw fail("invalid control character in string") }
            if byte != UInt8(ascii: "\\") {
                scalars.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append(0x22)
            case UInt8(ascii: "\\"): scalars.append(0x5C)
            case UInt8(ascii: "/"): scalars.append(0x2F)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try parseHex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("bad unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw fail("bad unicode escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30, byte <= 0x39 {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("invalid number") }
        return .double(value)
    }
}
