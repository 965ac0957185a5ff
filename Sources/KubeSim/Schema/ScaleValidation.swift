import Foundation
import KubeModels

/// The checks the real server makes on a custom resource's scale subresource paths after its
/// schema (apiextensions-apiserver `customResourceValidator.ValidateScaleSpec`/`ValidateScaleStatus`):
/// the replicas must be an int64 in 0...2147483647 and the label selector a string. The field is
/// the path as the CRD writes it (`.spec.replicas`); a missing value is fine.
enum ScaleValidation {
    /// `includeSpec` is false for status writes, which the real server checks for status paths only.
    static func causes(_ object: JSONValue, _ scale: ResourceType.ScaleMapping?, includeSpec: Bool) -> [StatusCause] {
        guard let scale else { return [] }
        var causes: [StatusCause] = []
        if includeSpec { causes += replicas(object, scale.specReplicasPath) }
        causes += replicas(object, scale.statusReplicasPath)
        if let selectorPath = scale.labelSelectorPath, let value = JSONPath(selectorPath).first(object), value.stringValue == nil {
            causes.append(invalid(selectorPath, shown: "\"\"", accessorError(selectorPath, value, expected: "string")))
        }
        return causes
    }

    private static func replicas(_ object: JSONValue, _ path: String) -> [StatusCause] {
        guard let value = JSONPath(path).first(object) else { return [] }
        guard case .int(let replicas) = value else {
            return [invalid(path, shown: "0", accessorError(path, value, expected: "int64"))]
        }
        if replicas < 0 { return [invalid(path, shown: String(replicas), "should be a non-negative integer")] }
        if replicas > Int64(Int32.max) {
            return [invalid(path, shown: String(replicas), "should be less than or equal to \(Int32.max)")]
        }
        return []
    }

    private static func invalid(_ path: String, shown: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(shown): \(detail)", field: path)
    }

    /// unstructured.NestedInt64/NestedString's error: `.spec.replicas accessor error: 1.5 is of the type float64, expected int64`.
    private static func accessorError(_ path: String, _ value: JSONValue, expected: String) -> String {
        let dotted = "." + path.split(separator: ".").joined(separator: ".")
        return "\(dotted) accessor error: \(GoFormat.value(value)) is of the type \(GoFormat.typeName(value)), expected \(expected)"
    }
}

/// How Go's `%v` and `%T` print the values of an unstructured object, for messages that quote them.
enum GoFormat {
    static func value(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return float(number)
        case .string(let text): return text
        case .array(let items): return "[" + items.map(self.value).joined(separator: " ") + "]"
        case .object(let members):
            return "map[" + members.keys.sorted().map { "\($0):\(self.value(members[$0]!))" }.joined(separator: " ") + "]"
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int64"
        case .double: return "float64"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        }
    }

    /// `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): `1.5`, `3e+09`, `1e-07`.
    static func float(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Inf" : "+Inf" }
        let exponent = number == 0 ? 0 : Int(floor(log10(abs(number))))
        if exponent < -4 || exponent >= 6 {
            var mantissa = number / pow(10, Double(exponent))
            if abs(mantissa) >= 10 { mantissa /= 10 }
            let digits = shortest(mantissa)
            return "\(digits)e\(exponent < 0 ? "-" : "+")\(String(format: "%02d", abs(exponent)))"
        }
        return shortest(number)
    }

    private static func shortest(_ number: Double) -> String {
        var text = "\(number)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
