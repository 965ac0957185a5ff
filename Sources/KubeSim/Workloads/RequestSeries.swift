/// The labels of one simulated-traffic series: which Service's request reached which pod of which
/// revision, and the HTTP status code it got.
public struct RequestSeries: Sendable, Hashable, Comparable, Codable {
    public var namespace: String
    public var service: String
    public var pod: String
    /// The pod's `cutover.dev/revision` label, `""` when it has none.
    public var revision: String
    public var code: Int

    public init(namespace: String, service: String, pod: String, revision: String, code: Int) {
        self.namespace = namespace
        self.service = service
        self.pod = pod
        self.revision = revision
        self.code = code
    }

    public static func < (lhs: RequestSeries, rhs: RequestSeries) -> Bool {
        (lhs.namespace, lhs.service, lhs.pod, lhs.revision, lhs.code)
            < (rhs.namespace, rhs.service, rhs.pod, rhs.revision, rhs.code)
    }

    /// The labels in exposition order.
    var labels: [(String, String)] {
        [("namespace", namespace), ("service", service), ("pod", pod), ("revision", revision), ("code", String(code))]
    }
}
