/// What a request asks to do, in the terms RBAC rules use (`authorizer.Attributes` built by the
/// real server's RequestInfo): a verb on a resource (with group, subresource, name, namespace),
/// or a verb on a non-resource path.
struct RequestAttributes: Sendable, Hashable {
    var verb: String
    var isResourceRequest: Bool
    var apiGroup = ""
    var apiVersion = ""
    var resource = ""
    var subresource = ""
    var name = ""
    var namespace = ""
    /// The URL path, for non-resource requests.
    var path = ""

    /// `resource/subresource`, or the resource alone.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The attributes of a request; `apiPath` nil means a non-resource path (verbs are the
    /// lower-cased HTTP method there).
    init(_ request: HTTPRequest, _ apiPath: APIPath?) {
        guard let apiPath else {
            isResourceRequest = false
            verb = request.method.lowercased()
            path = request.path
            return
        }
        isResourceRequest = true
        apiGroup = apiPath.group
        apiVersion = apiPath.version
        resource = apiPath.resource
        subresource = apiPath.subresource ?? ""
        name = apiPath.name ?? ""
        namespace = apiPath.namespace ?? ""
        // The Namespace object's own name is its namespace, as the real RequestInfo has it.
        if apiPath.group.isEmpty, apiPath.resource == "namespaces", let name = apiPath.name { namespace = name }
        let watching = request.query["watch"] == "true" || request.query["watch"] == "1"
        switch request.method {
        case "GET", "HEAD":
            verb = watching ? "watch" : (apiPath.name == nil ? "list" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = apiPath.name == nil ? "deletecollection" : "delete"
        default: verb = request.method.lowercased()
        }
        // A list or watch narrowed to one object by `metadata.name` is checked against resourceNames.
        if (verb == "list" || verb == "watch"), name.isEmpty, let selector = request.query["fieldSelector"] {
            for term in selector.split(separator: ",") {
                let parts = term.split(separator: "=", omittingEmptySubsequences: true)
                if parts.count == 2, parts[0] == "metadata.name" { name = String(parts[1]) }
            }
        }
    }
}
