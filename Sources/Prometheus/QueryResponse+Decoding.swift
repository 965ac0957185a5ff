#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension QueryResponse {
    /// Decodes the body of an `/api/v1/query` answer as documented in the Prometheus HTTP API.
    ///
    /// Throws ``PrometheusError/api(type:message:httpStatus:)`` for an error body whatever the HTTP
    /// status, ``PrometheusError/http(status:body:)`` for a non-2xx answer that is not a Prometheus
    /// error body (a proxy's 401 page), and ``PrometheusError/decoding(_:)`` for anything else unexpected.
    public static func decode(_ body: [UInt8], httpStatus: Int = 200) throws(PrometheusError) -> QueryResponse {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch let error as PrometheusError {
            throw error
        } catch {
            guard (200..<300).contains(httpStatus) else { throw .http(status: httpStatus, body: Self.excerpt(body)) }
            throw .decoding("\(Self.describe(error)); body: \(Self.excerpt(body))")
        }
        if envelope.status == "error" || envelope.errorType != nil {
            throw .api(
                type: PrometheusError.APIErrorType(envelope.errorType ?? "unknown"), message: envelope.error ?? "(no message)",
                httpStatus: httpStatus)
        }
        guard (200..<300).contains(httpStatus) else { throw .http(status: httpStatus, body: Self.excerpt(body)) }
        guard envelope.status == "success", let data = envelope.data else {
            throw .decoding("status \"\(envelope.status ?? "")\" without data; body: \(Self.excerpt(body))")
        }
        return QueryResponse(result: data.result, warnings: envelope.warnings ?? [])
    }

    /// The first 512 bytes of a body, for messages.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        return body.count > 512 ? text + "…" : text
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context), DecodingError.keyNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// `{"status": ..., "data": ..., "errorType": ..., "error": ..., "warnings": [...]}`.
    private struct Envelope: Decodable {
        var status: String?
        var data: ResultData?
        var errorType: String?
        var error: String?
        var warnings: [String]?
    }

    /// `{"resultType": ..., "result": ...}`, the shape of `result` chosen by `resultType`.
    private struct ResultData: Decodable {
        var result: QueryResult

        enum CodingKeys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .resultType)
            switch type {
            case "vector":
                result = .vector(try container.decode([WireSeries].self, forKey: .result).map { try $0.instant() })
            case "matrix":
                result = .matrix(try container.decode([WireSeries].self, forKey: .result).map { try $0.range() })
            case "scalar":
                result = .scalar(try container.decode(WirePoint.self, forKey: .result).point)
            case "string":
                let pair = try container.decode(WireString.self, forKey: .result)
                result = .string(time: pair.time, value: pair.value)
            default:
                throw PrometheusError.decoding("unknown resultType \"\(type)\"")
            }
        }
    }

    /// A series of a vector (`value`) or matrix (`values`); native histograms are refused by name.
    private struct WireSeries: Decodable {
        var metric: [String: String]?
        var value: WirePoint?
        var values: [WirePoint]?
        var histogram: JSONSkip?
        var histograms: JSONSkip?

        func instant() throws(PrometheusError) -> InstantSample {
            guard let value else { throw Self.missing(histogram != nil) }
            return InstantSample(labels: metric ?? [:], point: value.point)
        }

        func range() throws(PrometheusError) -> RangeSeries {
            guard let values else { throw Self.missing(histograms != nil) }
            return RangeSeries(labels: metric ?? [:], points: values.map(\.point))
        }

        private static func missing(_ histogram: Bool) -> PrometheusError {
            histogram
                ? .decoding("the result holds native histogram samples; reduce them to a number, e.g. with histogram_quantile(0.99, ...)")
                : .decoding("a series without a value")
        }
    }

    /// `[<unix time>, "<value>"]`.
    private struct WirePoint: Decodable {
        var point: SamplePoint

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            let time = try container.decode(Double.self)
            let text = try container.decode(String.self)
            guard let value = Self.parse(text) else {
                throw PrometheusError.decoding("sample value \"\(text)\" is not a number")
            }
            point = SamplePoint(time: time, value: value)
        }

        /// Go's `strconv.FormatFloat` output plus Prometheus' spellings of the special values.
        static func parse(_ text: String) -> Double? {
            switch text {
            case "NaN": return .nan
            case "+Inf", "Inf": return .infinity
            case "-Inf": return -.infinity
            default: return Double(text)
            }
        }
    }

    /// `[<unix time>, "<string>"]`.
    private struct WireString: Decodable {
        var time: Double
        var value: String

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            time = try container.decode(Double.self)
            value = try container.decode(String.self)
        }
    }

    /// Accepts and ignores any JSON value.
    private struct JSONSkip: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}
