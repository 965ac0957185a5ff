#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a ``PrometheusClient`` sends its queries and how it proves who it is.
///
/// `Hashable` so that callers can keep one client per distinct configuration (a client owns its
/// connection pool and TLS settings).
public struct PrometheusConfiguration: Sendable, Hashable {
    /// Base URL of the Prometheus HTTP API, `http://host:9090` or `https://host/prefix`; the client
    /// appends `/api/v1/query`.
    public var address: String
    /// How requests are authenticated.
    public var authorization: Authorization
    /// Extra request headers (for example `X-Scope-OrgID` for a multi-tenant Prometheus-compatible
    /// backend), sent in order after the client's own headers.
    public var headers: [Header]
    /// PEM certificates to trust for `https` instead of the system roots; `nil` uses the system roots.
    public var caCertificatesPEM: [UInt8]?
    /// Accept any server certificate over `https`. For test setups only.
    public var insecureSkipVerify: Bool
    /// The longest one query may take, from connecting to the last byte of the answer. Also sent to
    /// Prometheus as the `timeout` parameter so the server stops evaluating when the caller gives up.
    public var timeout: Duration
    /// Answers larger than this are refused (a query returning thousands of series is a mistake).
    public var maxResponseBytes: Int

    public init(
        address: String, authorization: Authorization = .none, headers: [Header] = [], caCertificatesPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false, timeout: Duration = .seconds(10), maxResponseBytes: Int = 4 << 20
    ) {
        self.address = address
        self.authorization = authorization
        self.headers = headers
        self.caCertificatesPEM = caCertificatesPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// How a request proves its identity.
    public enum Authorization: Sendable, Hashable {
        /// No `Authorization` header.
        case none
        /// `Authorization: Bearer <token>`.
        case bearer(String)
        /// `Authorization: Basic base64(<username>:<password>)`.
        case basic(username: String, password: String)

        /// The `Authorization` header value, or `nil` for ``none``.
        public var headerValue: String? {
            switch self {
            case .none: return nil
            case .bearer(let token): return "Bearer \(token)"
            case .basic(let username, let password):
                return "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"
            }
        }
    }

    /// One extra request header.
    public struct Header: Sendable, Hashable {
        /// The header name, sent as written.
        public var name: String
        /// The header value, sent as written.
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }
}
