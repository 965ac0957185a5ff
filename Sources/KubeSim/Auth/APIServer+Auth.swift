import Foundation
import KubeModels

/// Authentication and authorization: the admin token is all-powerful; service-account tokens from
/// the TokenRequest API are authorized by RBAC (``RBACAuthorizer``) and refused with the real
/// 403 `Forbidden` Status when no rule covers the request.
extension APIServer {
    /// Who sent `request`: its bearer token checked against the admin token, then as a
    /// service-account token whose ServiceAccount (same uid) still exists.
    func authenticate(_ request: HTTPRequest) -> Authentication {
        guard let adminToken = configuration.token else { return .admin }
        guard let header = request.headers["authorization"] else { return .anonymous }
        if header == "Bearer \(adminToken)" { return .admin }
        guard header.hasPrefix("Bearer "),
            let claims = serviceAccountTokens.verify(String(header.dropFirst("Bearer ".count)), now: Date()),
            let account = store.get("/serviceaccounts", namespace: claims.namespace, name: claims.serviceAccount),
            (account[path: ["metadata", "uid"]]?.stringValue ?? "") == claims.uid
        else { return .rejected }
        return .user(.serviceAccount(namespace: claims.namespace, name: claims.serviceAccount))
    }

    /// nil when `user` may make `request`, else the 403 to answer with.
    func authorizationFailure(_ user: UserInfo, _ request: HTTPRequest, _ apiPath: APIPath?) -> APIError? {
        let attributes = RequestAttributes(request, apiPath)
        if RBACAuthorizer(store: store).allows(user, attributes) { return nil }
        return .forbidden(attributes, user: user)
    }

    /// `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`: a TokenRequest answered with a
    /// signed token for the ServiceAccount (`kubectl create token NAME -n NS`).
    func createToken(_ request: HTTPRequest, _ type: ResourceType, namespace: String?, name: String) throws -> HTTPResponse {
        guard let namespace, let account = store.get(type.storageKey, namespace: namespace, name: name) else {
            throw APIError.notFound(type, name: name)
        }
        let body = request.body.isEmpty ? JSONValue.object([:]) : try decodeBody(request)
        let spec = body["spec"] ?? .object([:])
        let seconds = spec["expirationSeconds"]?.intValue ?? 3600
        // The real server's floor; its ceiling is 2^32 seconds.
        guard seconds >= 600, seconds <= 1 << 32 else {
            let cause = StatusCause(
                reason: "FieldValueInvalid", message: "Invalid value: \(seconds): may not specify a duration less than 10 minutes",
                field: "spec.expirationSeconds")
            throw APIError(
                code: 422, reason: "Invalid",
                message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: spec.expirationSeconds: \(cause.message ?? "")",
                details: StatusDetails(name: name, group: "authentication.k8s.io", kind: "TokenRequest", causes: [cause]))
        }
        var audiences = (spec["audiences"]?.arrayValue ?? []).compactMap(\.stringValue)
        if audiences.isEmpty { audiences = [ServiceAccountTokens.issuer] }
        let issued = Date()
        let expires = issued.addingTimeInterval(TimeInterval(seconds))
        let token = serviceAccountTokens.mint(
            namespace: namespace, name: name, uid: account[path: ["metadata", "uid"]]?.stringValue ?? "",
            audiences: audiences, issued: issued, expires: expires)
        var boundObjectRef = spec["boundObjectRef"] ?? .null
        if boundObjectRef == .object([:]) { boundObjectRef = .null }
        let response: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(Timestamp(issued).description),
            ],
            "spec": [
                "audiences": .array(audiences.map(JSONValue.string)), "expirationSeconds": .int(seconds),
                "boundObjectRef": boundObjectRef,
            ],
            "status": ["token": .string(token), "expirationTimestamp": .string(Timestamp(expires).description)],
        ]
        return .json(201, response)
    }
}

extension APIError {
    /// The 403 of `responsewriters.Forbidden`: `<resource>[.<group>] ["<name>"] is forbidden: User
    /// "<user>" cannot <verb> resource "<resource>[/<sub>]" in API group "<group>" in the namespace
    /// "<ns>"` (or `at the cluster scope`; `cannot <verb> path "<path>"` for non-resource URLs).
    static func forbidden(_ request: RequestAttributes, user: UserInfo) -> APIError {
        let reason: String
        if !request.isResourceRequest {
            reason = "User \"\(user.name)\" cannot \(request.verb) path \"\(request.path)\""
        } else if !request.namespace.isEmpty {
            reason = "User \"\(user.name)\" cannot \(request.verb) resource \"\(request.combinedResource)\" in API group \"\(request.apiGroup)\" in the namespace \"\(request.namespace)\""
        } else {
            reason = "User \"\(user.name)\" cannot \(request.verb) resource \"\(request.combinedResource)\" in API group \"\(request.apiGroup)\" at the cluster scope"
        }
        let qualified = request.apiGroup.isEmpty ? request.resource : "\(request.resource).\(request.apiGroup)"
        let message: String
        if qualified.isEmpty {
            message = "forbidden: \(reason)"
        } else if request.name.isEmpty {
            message = "\(qualified) is forbidden: \(reason)"
        } else {
            message = "\(qualified) \"\(request.name)\" is forbidden: \(reason)"
        }
        return APIError(
            code: 403, reason: "Forbidden", message: message,
            details: StatusDetails(
                name: request.name.isEmpty ? nil : request.name, group: request.apiGroup.isEmpty ? nil : request.apiGroup,
                kind: request.resource.isEmpty ? nil : request.resource))
    }
}
