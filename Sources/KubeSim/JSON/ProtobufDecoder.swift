import Foundation
import KubeModels

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + `runtime.Unknown`) for the built-in kinds
/// kubectl's generators create (`kubectl create namespace|configmap|secret|serviceaccount|
/// deployment|service`): client-go's typed clients send protobuf and do not fall back to JSON.
/// A field table per message type maps field numbers to JSON names; unknown fields are skipped.
enum ProtobufDecoder {
    struct Failure: Error { var message: String }

    indirect enum Kind: Sendable {
        case string, bytes, int, bool, time, intOrString, quantity
        case message([Int: Field])
        case stringMap, bytesMap, quantityMap
    }

    struct Field: Sendable {
        var name: String
        var kind: Kind
        var repeated = false
        init(_ name: String, _ kind: Kind, repeated: Bool = false) {
            self.name = name
            self.kind = kind
            self.repeated = repeated
        }
    }

    /// The object of a protobuf request body, as JSON.
    static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard bytes.count > 4, bytes[0..<4] == [0x6B, 0x38, 0x73, 0x00] else { throw Failure(message: "missing k8s protobuf prefix") }
        let envelope = try message(Array(bytes[4...]), fields: [
            1: Field("typeMeta", .message([1: Field("apiVersion", .string), 2: Field("kind", .string)])),
            2: Field("raw", .bytes),
        ], rawBytes: true)
        guard let kind = envelope[path: ["typeMeta", "kind"]]?.stringValue, let schema = schemas[kind],
            case .string(let raw) = envelope["raw"] ?? .null, let data = Data(base64Encoded: raw)
        else {
            throw Failure(message: "unsupported protobuf object")
        }
        var object = try message(Array(data), fields: schema)
        object["apiVersion"] = envelope[path: ["typeMeta", "apiVersion"]]
        object["kind"] = .string(kind)
        return object
    }

    private static func message(_ bytes: [UInt8], fields: [Int: Field], rawBytes: Bool = false) throws -> JSONValue {
        var reader = Reader(bytes: bytes)
        var result: [String: JSONValue] = [:]
        while !reader.atEnd {
            let key = try reader.varint()
            let number = Int(key >> 3)
            let wire = Int(key & 7)
            guard let field = fields[number] else {
                try reader.skip(wire: wire)
                continue
            }
            let value: JSONValue?
            switch (field.kind, wire) {
            case (.int, 0): value = .int(Int64(bitPattern: try reader.varint()))
            case (.bool, 0): value = .bool(try reader.varint() != 0)
            case (_, 2):
                let chunk = try reader.lengthDelimited()
                value = try decode(chunk, as: field.kind)
            default:
                try reader.skip(wire: wire)
                value = nil
            }
            guard let value else { continue }
            switch field.kind {
            case .stringMap, .bytesMap, .quantityMap:
                var map = result[field.name]?.objectValue ?? [:]
                if case .object(let entry) = value, case .string(let mapKey) = entry["k"] ?? .null { map[mapKey] = entry["v"] ?? "" }
                result[field.name] = .object(map)
            default:
                if field.repeated {
                    result[field.name] = .array((result[field.name]?.arrayValue ?? []) + [value])
                } else {
                    result[field.name] = value
                }
            }
        }
        // Proto2 writes non-pointer zero values that JSON would omit; `replicas` is a pointer and
        // its zero means something.
        return .object(result.filter { !isEmpty($0.value) && ($0.value != .int(0) || $0.key == "replicas") })
    }

    private static func decode(_ chunk: [UInt8], as kind: Kind) throws -> JSONValue? {
        switch kind {
        case .string: return .string(String(decoding: chunk, as: UTF8.self))
        case .bytes: return .string(Data(chunk).base64EncodedString())
        case .message(let fields): return try message(chunk, fields: fields)
        case .stringMap:
            return try message(chunk, fields: [1: Field("k", .string), 2: Field("v", .string)])
        case .bytesMap:
            return try message(chunk, fields: [1: Field("k", .string), 2: Field("v", .bytes)])
        case .quantityMap:
            let entry = try message(chunk, fields: [1: Field("k", .string), 2: Field("v", .quantity)])
            return entry
        case .quantity:
            return try message(chunk, fields: [1: Field("string", .string)])["string"] ?? .string("0")
        case .time:
            let time = try message(chunk, fields: [1: Field("seconds", .int)])
            guard let seconds = time["seconds"]?.intValue, seconds > 0 else { return nil }
            return .string(Timestamp(Date(timeIntervalSince1970: Double(seconds))).description)
        case .intOrString:
            let value = try message(chunk, fields: [1: Field("type", .int), 2: Field("int", .int), 3: Field("str", .string)])
            if value["type"]?.intValue == 1 { return value["str"] ?? "" }
            return value["int"] ?? 0
        case .int, .bool:
            return nil
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty
        case .object(let members): return members.isEmpty
        default: return false
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var atEnd: Bool { index >= bytes.count }

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw Failure(message: "truncated varint")
        }

        mutating func lengthDelimited() throws -> [UInt8] {
            let length = Int(try varint())
            guard length >= 0, index + length <= bytes.count else { throw Failure(message: "truncated field") }
            defer { index += length }
            return Array(bytes[index..<index + length])
        }

        mutating func skip(wire: Int) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: index += 8
            case 2: _ = try lengthDelimited()
            case 5: index += 4
            default: throw Failure(message: "unsupported wire type \(wire)")
            }
        }
    }
}
