/// The `data` of an instant query's answer, one case per Prometheus `resultType`.
public enum QueryResult: Sendable, Hashable {
    /// `vector`: one sample per series (possibly none).
    case vector([InstantSample])
    /// `scalar`: one number without labels.
    case scalar(SamplePoint)
    /// `matrix`: several samples per series (a range selector such as `x[5m]` without a function).
    case matrix([RangeSeries])
    /// `string`: a string literal query.
    case string(time: Double, value: String)

    /// The Prometheus name of the result type.
    public var resultType: String {
        switch self {
        case .vector: return "vector"
        case .scalar: return "scalar"
        case .matrix: return "matrix"
        case .string: return "string"
        }
    }
}

/// One value at one instant. `value` may be NaN or ±Inf exactly as Prometheus evaluated it.
public struct SamplePoint: Sendable, Hashable {
    /// Evaluation instant, seconds since 1970 (Prometheus resolves milliseconds).
    public var time: Double
    /// The sample's value.
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}

/// One series of a vector result.
public struct InstantSample: Sendable, Hashable {
    /// The series labels (`__name__` included when the query kept it).
    public var labels: [String: String]
    /// The series' value at the evaluation time.
    public var point: SamplePoint

    public init(labels: [String: String], point: SamplePoint) {
        self.labels = labels
        self.point = point
    }
}

/// One series of a matrix result.
public struct RangeSeries: Sendable, Hashable {
    /// The series labels.
    public var labels: [String: String]
    /// The samples in time order.
    public var points: [SamplePoint]

    public init(labels: [String: String], points: [SamplePoint]) {
        self.labels = labels
        self.points = points
    }
}

/// A successful answer: the result and any warnings Prometheus attached.
public struct QueryResponse: Sendable, Hashable {
    /// What the query evaluated to.
    public var result: QueryResult
    /// Server warnings (for example about partial data); empty when there were none.
    public var warnings: [String]

    public init(result: QueryResult, warnings: [String] = []) {
        self.result = result
        self.warnings = warnings
    }
}
