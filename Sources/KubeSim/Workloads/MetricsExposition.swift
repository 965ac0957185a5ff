/// Renders simulated traffic in the Prometheus text exposition format, version 0.0.4:
/// `http_requests_total` (counter) and `http_request_duration_seconds` (histogram), each with the
/// labels `namespace`, `service`, `pod`, `revision`, `code`. Series are sorted, so equal counters
/// give equal text.
public enum MetricsExposition {
    /// The `Content-Type` a `/metrics` response carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The counter of answered requests.
    public static let requestsMetric = "http_requests_total"
    /// The histogram of request latency.
    public static let durationMetric = "http_request_duration_seconds"

    /// The whole exposition: both families with HELP and TYPE lines, series in label order.
    public static func render(requests: [RequestSeries: Int64], durations: [RequestSeries: LatencyHistogram]) -> String {
        var out = "# HELP \(requestsMetric) Simulated HTTP requests answered by pods behind a Service.\n"
        out += "# TYPE \(requestsMetric) counter\n"
        for series in requests.keys.sorted() {
            out += "\(requestsMetric){\(labelText(series.labels))} \(requests[series]!)\n"
        }
        out += "# HELP \(durationMetric) Latency of simulated HTTP requests, in seconds.\n"
        out += "# TYPE \(durationMetric) histogram\n"
        for series in durations.keys.sorted() {
            let histogram = durations[series]!
            let labels = labelText(series.labels)
            let cumulative = histogram.cumulativeCounts
            for (index, bound) in LatencyHistogram.bounds.enumerated() {
                out += "\(durationMetric)_bucket{\(labels),le=\"\(number(bound))\"} \(cumulative[index])\n"
            }
            out += "\(durationMetric)_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            out += "\(durationMetric)_sum{\(labels)} \(number(histogram.sum))\n"
            out += "\(durationMetric)_count{\(labels)} \(histogram.count)\n"
        }
        return out
    }

    /// `name="value",…` with values escaped as the format requires (`\\`, `\"`, `\n`).
    static func labelText(_ labels: [(String, String)]) -> String {
        labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// A float as Go's `strconv.FormatFloat(v, 'g', -1, 64)` would write the common cases:
    /// whole numbers without a fraction (`le="10"`, as client libraries write it).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
