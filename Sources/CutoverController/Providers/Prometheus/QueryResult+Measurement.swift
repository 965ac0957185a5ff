import Cutover
import Prometheus

extension QueryResult {
    /// What this result means for a measurement: a single-sample vector or a scalar is a value
    /// (±Inf included); an empty vector or NaN is no data; several series, a matrix or a string are
    /// an error whose message says how to reduce the query to one number.
    public var measurementSample: Measurement.Sample {
        switch self {
        case .scalar(let point):
            return point.value.isNaN ? .noData : .value(point.value)
        case .vector(let samples):
            guard samples.count <= 1 else {
                let shown = samples.prefix(3).map { Self.describe($0.labels) }.joined(separator: ", ")
                let more = samples.count > 3 ? ", …" : ""
                return .error(
                    "the query returned \(samples.count) series (\(shown)\(more)); it must return one number: aggregate it, e.g. sum(...) or max(...)")
            }
            guard let value = samples.first?.point.value, !value.isNaN else { return .noData }
            return .value(value)
        case .matrix(let series):
            return .error(
                "the query returned a range vector (matrix, \(series.count) series); it must return one number: wrap the range in a function and aggregate it, e.g. sum(rate(x[5m]))")
        case .string(_, let value):
            return .error("the query returned the string \"\(value)\"; it must return one number, e.g. sum(...)")
        }
    }

    /// What a judged metric's subquery means: a range vector of one series is its samples
    /// (NaN dropped), an empty one no data; several series, or anything but a range vector, an error.
    public var seriesSample: Measurement.Sample {
        switch self {
        case .matrix(let series):
            guard series.count <= 1 else {
                let shown = series.prefix(3).map { Self.describe($0.labels) }.joined(separator: ", ")
                let more = series.count > 3 ? ", …" : ""
                return .error(
                    "the query returned \(series.count) series (\(shown)\(more)); a judged metric must return one: aggregate it, e.g. sum(...) or max(...)")
            }
            let values = (series.first?.points ?? []).map(\.value).filter { !$0.isNaN }
            return values.isEmpty ? .noData : .series(values)
        case .scalar, .vector, .string:
            return .error("the judge's subquery did not return a range vector")
        }
    }

    /// `{code="500", pod="a"}`, labels sorted so messages are stable.
    static func describe(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
    }
}
