import KubeModels

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, which `kubectl auth can-i`
/// sends: the server answers whether the caller may do what the review describes.
extension APIServer {
    static let accessReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

    func selfSubjectAccessReview(_ request: HTTPRequest) throws -> HTTPResponse {
        guard request.method == "POST" else { throw APIError.methodNotAllowed() }
        let review = try decodeBody(request)
        let spec = review["spec"] ?? .object([:])
        var attributes = RequestAttributes(HTTPRequest(method: "GET", uri: "/", headers: [:], body: []), nil)
        if let resource = spec["resourceAttributes"] {
            attributes.isResourceRequest = true
            attributes.verb = resource["verb"]?.stringValue ?? ""
            attributes.apiGroup = resource["group"]?.stringValue ?? ""
            attributes.apiVersion = resource["version"]?.stringValue ?? ""
            attributes.resource = resource["resource"]?.stringValue ?? ""
            attributes.subresource = resource["subresource"]?.stringValue ?? ""
            attributes.name = resource["name"]?.stringValue ?? ""
            attributes.namespace = resource["namespace"]?.stringValue ?? ""
        } else if let nonResource = spec["nonResourceAttributes"] {
            attributes.verb = nonResource["verb"]?.stringValue ?? ""
            attributes.path = nonResource["path"]?.stringValue ?? ""
        } else {
            throw APIError.badRequest("spec.resourceAttributes or spec.nonResourceAttributes is required")
        }
        let allowed: Bool
        switch authenticate(request) {
        case .admin: allowed = true
        case .user(let user): allowed = RBACAuthorizer(store: store).allows(user, attributes)
        case .anonymous, .rejected: throw APIError.unauthorized
        }
        var status: [String: JSONValue] = ["allowed": .bool(allowed)]
        if !allowed { status["reason"] = "" }
        let response: JSONValue = [
            "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": ["creationTimestamp": .null], "spec": spec, "status": .object(status),
        ]
        return .json(201, response)
    }
}
