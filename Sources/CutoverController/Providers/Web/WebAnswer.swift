import Cutover
import KubeModels

/// What a web metric's answer means: a 2xx with a JSON body whose `jsonPath` selects one number
/// (or a numeric string) is its value, a boolean 1 or 0; `null` is no data; anything else an error
/// whose message says what came back.
enum WebAnswer {
    static func sample(of response: WebhookClient.Response, jsonPath: String, limit: Int) -> Measurement.Sample {
        guard response.isSuccess else { return .error(response.summary) }
        guard response.bytes.count <= limit else { return .error("the answer is larger than \(limit / 1024) KiB") }
        let json: JSONValue
        do {
            json = try JSONParser.parse(response.bytes)
        } catch {
            return .error("the answer is not JSON (\(error)): \(response.summary)")
        }
        let found = JSONPath(jsonPath).evaluate(json)
        guard found.count == 1, let value = found.first else {
            let preview = String(JSONWriter.string(json).prefix(WebhookClient.bodyPreview))
            return .error(
                found.isEmpty
                    ? "the answer has nothing at \(jsonPath): \(preview)"
                    : "\(jsonPath) selects \(found.count) values; it must select one: \(preview)")
        }
        switch value {
        case .null: return .noData
        case .bool(let flag): return .value(flag ? 1 : 0)
        case .string(let text):
            guard let number = Double(text) else { return .error("\(jsonPath) is the string \"\(text.prefix(80))\", not a number") }
            return number.isNaN ? .noData : .value(number)
        default:
            if let number = value.doubleValue { return number.isNaN ? .noData : .value(number) }
            return .error("\(jsonPath) is \(String(JSONWriter.string(value).prefix(80))), not a number or a boolean")
        }
    }
}
