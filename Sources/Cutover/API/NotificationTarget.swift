/// Where release events are sent: an HTTP POST per event, as a Slack incoming-webhook message or
/// a generic JSON document. The URL is read from a Secret (a Slack webhook URL is a credential).
public struct NotificationTarget: Codable, Sendable, Hashable {
    /// Unique among the targets; DNS-label-like. Delivery bookkeeping in status uses it.
    public var name: String
    /// The Secret key holding the URL (`http://` or `https://`).
    public var urlSecret: SecretKeyReference
    /// `JSON` (default) or `Slack`.
    public var format: String?
    /// The events to send (default all of ``ReleaseEventType``).
    public var events: [String]?
    /// How long one attempt may take (default `5s`).
    public var timeout: String?

    public init(name: String, urlSecret: SecretKeyReference, format: String? = nil, events: [String]? = nil, timeout: String? = nil) {
        self.name = name
        self.urlSecret = urlSecret
        self.format = format
        self.events = events
        self.timeout = timeout
    }

    /// The defaults, named so the CRD and the reference doc can be checked against them.
    public enum Defaults {
        /// Default `format`.
        public static let format = "JSON"
        /// Default `timeout` of one delivery attempt.
        public static let timeout = "5s"
    }

    /// The body formats a target can ask for.
    public enum Format: String, Sendable, CaseIterable {
        case json = "JSON"
        case slack = "Slack"
    }

    /// `format` with the default; JSON for an unknown value (validation reports it first).
    public var resolvedFormat: Format { Format(rawValue: format ?? Defaults.format) ?? .json }

    /// `timeout` in seconds, with the default.
    public var timeoutSeconds: Int64 { DurationText.seconds(timeout ?? Defaults.timeout) ?? 5 }

    /// Whether events of `type` go to this target.
    public func wants(_ type: ReleaseEventType) -> Bool { events.map { $0.contains(type.rawValue) } ?? true }
}
