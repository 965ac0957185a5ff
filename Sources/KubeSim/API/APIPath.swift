/// What a request path under `/api/v1` or `/apis/{group}/{version}` addresses.
struct APIPath: Sendable, Hashable {
    var group: String
    var version: String
    /// The namespace from the path, `nil` for cluster-scoped or all-namespaces requests.
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?

    /// Parses `/api/v1/...` or `/apis/g/v/...`; `nil` when the path names no resource.
    init?(_ path: String) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.first == "api", segments.count >= 3 {
            group = ""
            version = segments[1]
            segments.removeFirst(2)
        } else if segments.first == "apis", segments.count >= 4 {
            group = segments[1]
            version = segments[2]
            segments.removeFirst(3)
        } else {
            return nil
        }
        // `namespaces/{ns}/{resource}...` addresses namespaced objects, while `namespaces/{name}` and
        // `namespaces/{name}/status|finalize` address the Namespace itself.
        if segments.count >= 3, segments[0] == "namespaces", !["status", "finalize"].contains(segments[2]) {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        guard !segments.isEmpty, segments.count <= 3 else { return nil }
        resource = segments[0]
        name = segments.count > 1 ? segments[1] : nil
        subresource = segments.count > 2 ? segments[2] : nil
    }
}
