/// Why a query has no result. Every case carries a message fit for a Rollout's status: it names
/// what failed and, where there is one, the server's own words.
public enum PrometheusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Prometheus answered with an error body (`{"status":"error","errorType":...,"error":...}`).
    case api(type: APIErrorType, message: String, httpStatus: Int)
    /// Prometheus (or a proxy in front of it) answered with a non-2xx status and no Prometheus error body.
    case http(status: Int, body: String)
    /// The query took longer than the configured timeout.
    case timedOut(seconds: Double)
    /// No answer: connection refused, DNS, TLS handshake, connection reset.
    case transport(String)
    /// The answer was not the documented JSON.
    case decoding(String)
    /// The configuration cannot be used (bad address, unreadable CA certificate).
    case invalidConfiguration(String)

    /// The `errorType` values of the Prometheus HTTP API; anything newer is kept as ``other(_:)``.
    public enum APIErrorType: Sendable, Hashable, CustomStringConvertible {
        /// The query does not parse or a parameter is wrong (HTTP 400).
        case badData
        /// Evaluation ran past the server's query timeout (HTTP 503).
        case timeout
        /// Evaluation was cancelled on the server.
        case canceled
        /// Evaluation failed, for example on many-to-many matching (HTTP 422).
        case execution
        /// The server failed internally.
        case `internal`
        /// The server cannot answer now (HTTP 503).
        case unavailable
        /// The endpoint does not exist.
        case notFound
        /// An error type this client does not know.
        case other(String)

        /// Parses the wire form (`bad_data`, `timeout`, ...).
        public init(_ text: String) {
            switch text {
            case "bad_data": self = .badData
            case "timeout": self = .timeout
            case "canceled": self = .canceled
            case "execution": self = .execution
            case "internal": self = .internal
            case "unavailable": self = .unavailable
            case "not_found": self = .notFound
            default: self = .other(text)
            }
        }

        /// The wire form.
        public var description: String {
            switch self {
            case .badData: return "bad_data"
            case .timeout: return "timeout"
            case .canceled: return "canceled"
            case .execution: return "execution"
            case .internal: return "internal"
            case .unavailable: return "unavailable"
            case .notFound: return "not_found"
            case .other(let text): return text
            }
        }
    }

    public var description: String {
        switch self {
        case .api(let type, let message, let status): return "Prometheus \(type) (HTTP \(status)): \(message)"
        case .http(let status, let body):
            return body.isEmpty ? "Prometheus answered HTTP \(status)" : "Prometheus answered HTTP \(status): \(body)"
        case .timedOut(let seconds): return "Prometheus did not answer within \(Self.seconds(seconds))"
        case .transport(let reason): return "cannot reach Prometheus: \(reason)"
        case .decoding(let reason): return "unexpected answer from Prometheus: \(reason)"
        case .invalidConfiguration(let reason): return "invalid Prometheus configuration: \(reason)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int64(value))s" : "\(value)s"
    }
}
