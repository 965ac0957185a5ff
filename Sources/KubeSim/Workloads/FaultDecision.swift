import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the server must do with one API request, as decided by ``FaultInjector``.
public enum FaultDecision: Sendable, Hashable {
    /// Serve the request normally.
    case none
    /// Wait this long, then serve the request normally.
    case delay(seconds: TimeInterval)
    /// Wait ``InjectedFailure/delaySeconds``, then answer with the failure instead of serving.
    case fail(InjectedFailure)
    /// Do not answer before `until` (hold the request; the client's timeout decides what it sees),
    /// then serve it normally.
    case unresponsive(until: Date)
    /// This watch resumes from a resourceVersion: answer it as the server answers a resourceVersion
    /// too old for its history (410 Expired), whatever the version.
    case expireWatch
}

/// An injected error answer: the HTTP status, its `Retry-After`, and the metav1.Status body.
public struct InjectedFailure: Sendable, Hashable {
    /// The HTTP status code to answer with.
    public var code: Int
    /// Seconds for the `Retry-After` header; `nil` for no header.
    public var retryAfterSeconds: Int?
    /// Latency to add before answering.
    public var delaySeconds: TimeInterval
    /// The metav1.Status `reason` for ``code`` (`InternalError`, `TooManyRequests`, `Conflict`, …).
    public var reason: String
    /// The metav1.Status `message`.
    public var message: String
    /// The id of the rule that decided it.
    public var ruleID: String

    /// A failure answering `code`; `reason` and `message` default from the code and rule.
    public init(
        code: Int, retryAfterSeconds: Int? = nil, delaySeconds: TimeInterval = 0, reason: String? = nil,
        message: String? = nil, ruleID: String = ""
    ) {
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
        self.delaySeconds = delaySeconds
        self.reason = reason ?? InjectedFailure.reason(for: code)
        self.message = message ?? "injected fault (\(ruleID.isEmpty ? "sim" : ruleID)): \(self.reason)"
        self.ruleID = ruleID
    }

    /// The metav1.Status reason Kubernetes uses for an HTTP status code.
    public static func reason(for code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "InternalError"
        }
    }

    /// The response headers besides `Content-Type` (`Retry-After` when set).
    public var headers: [(name: String, value: String)] {
        retryAfterSeconds.map { [("Retry-After", String($0))] } ?? []
    }

    /// The metav1.Status body to send.
    public var status: Status {
        Status(
            message: message, reason: reason,
            details: retryAfterSeconds.map { StatusDetails(retryAfterSeconds: Int32(clamping: $0)) },
            code: Int32(clamping: code))
    }
}
