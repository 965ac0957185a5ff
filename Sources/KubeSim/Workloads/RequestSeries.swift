/// The labels of one simulated-traffic series: which Service's request reached which pod of which
/// revision, and the HTTP status code it got.
public struct RequestSeries: Sendable, Hashable, Comparable, Codable {
    /// The namespace of the Service and the pod.
    public var namespace: String
    /// The Service that sent the request.
    public var service: String
    /// The pod that answered.
    public var pod: String
    /// The pod's `cutover.dev/revision` label, `""` when it has none.
    public var revision: String
    /// The HTTP status the pod answered with (200 or 500).
    public var code: Int

    /// A series with these labels.
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
