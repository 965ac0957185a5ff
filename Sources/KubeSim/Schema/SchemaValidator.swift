import Foundation
import KubeModels
import Synchronization

/// Structural-schema processing of custom resources (KUBE-API.md §11): prunes fields the schema
/// does not know (reporting them for `fieldValidation`), fills `default`s, and validates type,
/// format (numeric ranges, `date-time`, `date`), required, enum, minimum/maximum, pattern,
/// lengths and item counts with the messages of kube-openapi as apiextensions reports them.
struct SchemaValidator {
    /// The outcome of processing one object.
    struct Result {
        var object: JSONValue
        var causes: [StatusCause]
        /// Dotted paths of pruned unknown fields (`spec.foo`).
        var unknownFields: [String]
    }

    let schema: JSONValue

    /// Every `pattern` compiled once: compiling a Regex costs a hundred times more than matching
    /// one, and each write of a custom resource checks the same few patterns (without the cache,
    /// nearly half of a Rollout status write). Nil for a pattern that does not compile.
    private static let patterns = Mutex<[String: Regex<AnyRegexOutput>?]>([:])

    private static func compiled(_ pattern: String) -> Regex<AnyRegexOutput>? {
        patterns.withLock { cache in
            if let known = cache[pattern] { return known }
            let regex = try? Regex(pattern)
            cache[pattern] = .some(regex)
            return regex
        }
    }

    /// Prunes, defaults and validates `object`. Causes come in the order the real validator
    /// (kube-openapi) finds them: depth first; at each field its type and format, then string,
    /// format, number, list and enum checks; in an object its properties, then `required`.
    /// Sibling properties are visited in name order (the real server's order is a Go map's,
    /// so unspecified); causes are not sorted afterwards.
    func process(_ object: JSONValue) -> Result {
        var unknown: [String] = []
        var causes: [StatusCause] = []
        var root = object.objectValue ?? [:]
        let reserved: Set<String> = ["apiVersion", "kind", "metadata"]
        var members = root.filter { !reserved.contains($0.key) }
        walkProperties(&members, schema, path: nil, unknown: &unknown, causes: &causes)
        for key in reserved { root[key] = nil }
        for (key, value) in members { root[key] = value }
        for key in reserved where object[key] != nil { root[key] = object[key] }
        return Result(object: .object(root), causes: causes, unknownFields: unknown.sorted())
    }

    /// Prunes, defaults and validates the members of an object against `schema`'s properties,
    /// then checks `required`. `path` is `nil` at the root.
    private func walkProperties(
        _ members: inout [String: JSONValue], _ schema: JSONValue, path: String?, unknown: inout [String],
        causes: inout [StatusCause]
    ) {
        let properties = schema["properties"]?.objectValue
        let additional = schema["additionalProperties"]
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        let child = { (key: String) in path.map { "\($0).\(key)" } ?? key }
        for key in members.keys.sorted() {
            let member = members[key]!
            if let property = properties?[key] {
                members[key] = walk(member, property, path: child(key), unknown: &unknown, causes: &causes)
            } else if let additional, additional.objectValue != nil {
                members[key] = walk(member, additional, path: child(key), unknown: &unknown, causes: &causes)
            } else if preserve || additional?.boolValue == true {
                continue
            } else {
                members[key] = nil
                unknown.append(child(key))
            }
        }
        for (key, property) in (properties ?? [:]).sorted(by: { $0.key < $1.key }) where members[key] == nil {
            if let defaultValue = property["default"] {
                members[key] = walk(defaultValue, property, path: child(key), unknown: &unknown, causes: &causes)
            }
        }
        for case .string(let key) in schema["required"]?.arrayValue ?? [] where members[key] == nil {
            causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: child(key)))
        }
    }

    private func walk(
        _ value: JSONValue, _ schema: JSONValue, path: String, unknown: inout [String], causes: inout [StatusCause]
    ) -> JSONValue? {
        if value.isNull {
            // Null is pruned (then defaulted by the parent) unless the field is nullable.
            return (schema["nullable"]?.boolValue ?? false) ? value : nil
        }
        let intOrString = schema["x-kubernetes-int-or-string"]?.boolValue ?? false
        if intOrString {
            if value.intValue == nil && value.stringValue == nil {
                causes.append(typeCause(path, value, "integer,string"))
            }
            return value
        }
        if let problem = typeProblem(value, schema, path: path) {
            causes.append(problem)
            // A mismatched object or list is not walked; a mismatched scalar still meets the
            // checks that apply to what it is (as kube-openapi runs every validator that applies).
            if value.objectValue != nil || value.arrayValue != nil { return value }
        }
        switch value {
        case .object(var members):
            var inner: [StatusCause] = []
            walkProperties(&members, schema, path: path, unknown: &unknown, causes: &inner)
            // Too few or too many properties is reported alone, before the properties.
            let countCauses = countProblems(members.count, schema, "Properties", path: path)
            causes += countCauses.isEmpty ? inner : countCauses
            return .object(members)
        case .array(var elements):
            if let items = schema["items"] {
                for index in elements.indices {
                    elements[index] = walk(elements[index], items, path: "\(path)[\(index)]", unknown: &unknown, causes: &causes) ?? .null
                }
            }
            causes += countProblems(elements.count, schema, "Items", path: path)
            checkEnum(value, schema, path: path, causes: &causes)
            return .array(elements)
        case .string(let text):
            checkString(text, schema, path: path, causes: &causes)
            checkFormat(text, schema, path: path, causes: &causes)
            checkEnum(value, schema, path: path, causes: &causes)
            return value
        case .int, .double:
            checkNumber(value, schema, path: path, causes: &causes)
            checkEnum(value, schema, path: path, causes: &causes)
            return value
        default:
            checkEnum(value, schema, path: path, causes: &causes)
            return value
        }
    }

    /// kube-openapi's typeValidator: a declared `format` is checked first for non-strings
    /// (`must be of type int32: "float64"`), then the JSON type.
    private func typeProblem(_ value: JSONValue, _ schema: JSONValue, path: String) -> StatusCause? {
        guard let type = schema["type"]?.stringValue else { return nil }
        let format = schema["format"]?.stringValue ?? ""
        let (valueType, valueFormat) = Self.schemaInfo(value)
        let floatInt: Bool = {
            if case .double(let number) = value { return type == "integer" && number.rounded() == number && abs(number) < 9.007_199_254_740_992e15 }
            return false
        }()
        let intFloat = valueType == "integer" && type == "number"
        let isTextOrList = value.stringValue != nil || value.arrayValue != nil
        if !isTextOrList, !format.isEmpty,
            !(type == valueType || valueFormat == format || floatInt || intFloat || (format == "int64" && valueFormat == "int32")
                || (format == "float64" && valueFormat == "float32"))
        {
            return typeCause(path, .string(valueFormat), format, shown: valueFormat)
        }
        if type != "number", type != "integer", !format.isEmpty, isTextOrList { return nil }
        if !(type == valueType || floatInt || intFloat) { return typeCause(path, value, type, shown: valueType) }
        return nil
    }

    /// The JSON type and Go-derived format kube-openapi infers for a decoded value.
    private static func schemaInfo(_ value: JSONValue) -> (String, String) {
        switch value {
        case .string: return ("string", "")
        case .int: return ("integer", "int64")
        case .double: return ("number", "float64")
        case .bool: return ("boolean", "")
        case .object: return ("object", "")
        case .array: return ("array", "")
        case .null: return ("null", "")
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

    private func typeCause(_ path: String, _ value: JSONValue, _ type: String, shown: String? = nil) -> StatusCause {
        let actual = shown ?? Self.schemaInfo(value).0
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
        if let pattern = schema["pattern"]?.stringValue, let regex = Self.compiled(pattern),
            (try? regex.firstMatch(in: text)) == nil
        {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \"\(text)\": \(path) in body should match '\(pattern)'", field: path))
        }
    }

    /// kube-openapi's formatValidator for strings: `date-time` and `date` (strfmt's checks);
    /// other formats are not checked.
    private func checkFormat(_ text: String, _ schema: JSONValue, path: String, causes: inout [StatusCause]) {
        guard let format = schema["format"]?.stringValue else { return }
        let valid: Bool
        switch format {
        case "date-time", "datetime": valid = Self.isDateTime(text)
        case "date": valid = Self.isDate(text)
        default: return
        }
        if !valid {
            let quoted = NameValidation.quoted(text)
            causes.append(StatusCause(
                reason: "FieldValueTypeInvalid",
                message: "Invalid value: \(quoted): \(path) in body must be of type \(format): \(quoted)", field: path))
        }
    }

    /// strfmt.IsDateTime: a full date, `T` (any case), `hh:mm:ss`, an optional fraction, and `Z` or
    /// `±hh:mm`. Read byte by byte: every status write of a Rollout checks a dozen of them.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, let t = bytes.firstIndex(where: { $0 | 0x20 == UInt8(ascii: "t") }),
            isDate(bytes[..<t])
        else { return false }
        let rest = bytes[(t + 1)...]
        let time = rest[..<(rest.firstIndex { $0 | 0x20 == UInt8(ascii: "t") } ?? rest.endIndex)]
        var at = time.startIndex
        func number(_ maximum: Int) -> Bool {
            guard time.endIndex - at >= 2, let value = digits(time[at..<(at + 2)]), value <= maximum else { return false }
            at += 2
            return true
        }
        func colon() -> Bool {
            guard at < time.endIndex, time[at] == UInt8(ascii: ":") else { return false }
            at += 1
            return true
        }
        guard number(23), colon(), number(59), colon(), number(59) else { return false }
        let seconds = at
        /// `z|([+-][0-9]{2}:[0-9]{2})`, then the end.
        func zone() -> Bool {
            guard at < time.endIndex else { return false }
            if time[at] | 0x20 == UInt8(ascii: "z") { return at + 1 == time.endIndex }
            guard time[at] == UInt8(ascii: "+") || time[at] == UInt8(ascii: "-") else { return false }
            at += 1
            return number(99) && colon() && number(99) && at == time.endIndex
        }
        if zone() { return true }
        // `(.[0-9]+)?`: any one character, then digits (the pattern's dot is not escaped); a zone
        // never starts with a digit, so the digits run as far as they go.
        at = seconds + 1
        guard at < time.endIndex, isDigit(time[at]) else { return false }
        while at < time.endIndex, isDigit(time[at]) { at += 1 }
        return zone()
    }

    /// strfmt.IsDate: `time.Parse("2006-01-02", text)`, so the day must exist in its month.
    static func isDate(_ text: String) -> Bool { isDate(Array(text.utf8)[...]) }

    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        guard bytes.count == 10, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
            let year = digits(bytes[start..<(start + 4)]), let month = digits(bytes[(start + 5)..<(start + 7)]),
            let day = digits(bytes[(start + 8)..<(start + 10)]), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The decimal value of `bytes`, all digits; nil otherwise.
    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// kube-openapi's numberValidator: whether the value fits its type and format
    /// (`Checked value must be of type integer with format int32 in spec.replicas`, reported
    /// on the field `<nil>`, as apiextensions converts a plain error), then maximum, then minimum.
    private func checkNumber(_ value: JSONValue, _ schema: JSONValue, path: String, causes: inout [StatusCause]) {
        guard let number = value.doubleValue else { return }
        let shown: String
        if case .double(let double) = value { shown = GoFormat.float(double) } else { shown = JSONWriter.string(value) }
        if let type = schema["type"]?.stringValue, !Self.fitsRange(value, type: type, format: schema["format"]?.stringValue ?? "") {
            let format = schema["format"]?.stringValue ?? ""
            let detail = format.isEmpty
                ? "Checked value must be of type \(type) (default format) in \(path)"
                : "Checked value must be of type \(type) with format \(format) in \(path)"
            // apiextensions turns this plain error into field.Invalid(nil path), whose field prints as "<nil>".
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\": \(detail)", field: "<nil>"))
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
    }

    /// IsValueValidAgainstRange: the value, printed as Go's `FormatFloat(v, 'f', -1)`, parses as
    /// the type and format (int32, int64 by default, uint32, uint64; float/float32 for numbers).
    static func fitsRange(_ value: JSONValue, type: String, format: String) -> Bool {
        switch value {
        case .int(let integer):
            guard type == "integer" else {
                return (format != "float" && format != "float32") || abs(Double(integer)) <= Double(Float.greatestFiniteMagnitude)
            }
            switch format {
            case "int32": return Int32(exactly: integer) != nil
            case "uint32": return UInt32(exactly: integer) != nil
            case "uint64": return integer >= 0
            default: return true
            }
        case .double(let double):
            if type == "integer" {
                guard double.rounded() == double, abs(double) < 9.3e18 else { return false }
                switch format {
                case "int32": return Int32(exactly: double) != nil
                case "uint32": return UInt32(exactly: double) != nil
                case "uint64": return UInt64(exactly: double) != nil
                default: return Int64(exactly: double) != nil
                }
            }
            if format == "float" || format == "float32" { return abs(double) <= Double(Float.greatestFiniteMagnitude) }
            return true
        default:
            return true
        }
    }

    private func countProblems(_ count: Int, _ schema: JSONValue, _ noun: String, path: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        if let minimum = schema["min\(noun)"]?.intValue, count < minimum {
            causes.append(StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \(count): \(path) in body should have at least \(minimum) \(noun.lowercased())",
                field: path))
        }
        if let maximum = schema["max\(noun)"]?.intValue, count > maximum {
            causes.append(StatusCause(
                reason: "FieldValueTooMany", message: "Too many: \(count): must have at most \(maximum) items", field: path))
        }
        return causes
    }
}
