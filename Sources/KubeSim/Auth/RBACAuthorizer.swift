import KubeModels

/// Decides requests from the RBAC objects in the store, as the real RBAC authorizer does: a
/// request is allowed when some ClusterRoleBinding, or some RoleBinding in the request's
/// namespace, binds the user (or one of its groups) to a role with a rule that covers it.
/// No rule, no access: there is no deny. Aggregated ClusterRoles are not resolved.
struct RBACAuthorizer: Sendable {
    static let group = "rbac.authorization.k8s.io"
    let store: ObjectStore

    /// Paths every authenticated user may GET: what the real server's default `system:discovery`,
    /// `system:public-info-viewer` and `system:basic-user` bindings grant.
    static let publicPaths = ["/api", "/apis", "/openapi", "/version", "/healthz", "/livez", "/readyz"]
    /// Resources every authenticated user may create about itself (`kubectl auth can-i`).
    static let selfReviewResources = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]

    func allows(_ user: UserInfo, _ request: RequestAttributes) -> Bool {
        if defaultBindingsAllow(request) { return true }
        for binding in store.list("\(Self.group)/clusterrolebindings", namespace: nil).0
        where binds(binding, user, bindingNamespace: "") {
            if rules(of: binding, bindingNamespace: nil).contains(where: { Self.rule($0, allows: request) }) { return true }
        }
        guard !request.namespace.isEmpty else { return false }
        for binding in store.list("\(Self.group)/rolebindings", namespace: request.namespace).0
        where binds(binding, user, bindingNamespace: request.namespace) {
            if rules(of: binding, bindingNamespace: request.namespace).contains(where: { Self.rule($0, allows: request) }) {
                return true
            }
        }
        return false
    }

    private func defaultBindingsAllow(_ request: RequestAttributes) -> Bool {
        if !request.isResourceRequest {
            guard request.verb == "get" || request.verb == "head" else { return false }
            return Self.publicPaths.contains { request.path == $0 || request.path.hasPrefix($0 + "/") }
        }
        return request.apiGroup == "authorization.k8s.io" && request.verb == "create"
            && Self.selfReviewResources.contains(request.resource)
    }

    /// Whether a binding's subjects include the user. A ServiceAccount subject without a
    /// namespace means the binding's own namespace.
    private func binds(_ binding: JSONValue, _ user: UserInfo, bindingNamespace: String) -> Bool {
        for subject in binding["subjects"]?.arrayValue ?? [] {
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "ServiceAccount":
                let namespace = subject["namespace"]?.stringValue ?? bindingNamespace
                if user.name == "system:serviceaccount:\(namespace):\(name)" { return true }
            case "User":
                if user.name == name { return true }
            case "Group":
                if user.groups.contains(name) { return true }
            default:
                continue
            }
        }
        return false
    }

    /// The rules of the role a binding refers to; none when it is missing. A RoleBinding's
    /// rules apply only in its own namespace, which is the only namespace it is read for.
    private func rules(of binding: JSONValue, bindingNamespace: String?) -> [JSONValue] {
        guard let name = binding[path: ["roleRef", "name"]]?.stringValue else { return [] }
        let role: JSONValue?
        switch binding[path: ["roleRef", "kind"]]?.stringValue {
        case "ClusterRole":
            role = store.get("\(Self.group)/clusterroles", namespace: nil, name: name)
        case "Role":
            guard let bindingNamespace else { return [] }
            role = store.get("\(Self.group)/roles", namespace: bindingNamespace, name: name)
        default:
            role = nil
        }
        return role?["rules"]?.arrayValue ?? []
    }

    /// `RuleAllows` of the real authorizer: verbs, then API groups, resources (incl. `*/sub`) and
    /// resourceNames for resource requests, or nonResourceURLs (exact or `prefix*`) otherwise.
    static func rule(_ rule: JSONValue, allows request: RequestAttributes) -> Bool {
        let verbs = strings(rule["verbs"])
        guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
        guard request.isResourceRequest else {
            return strings(rule["nonResourceURLs"]).contains { url in
                url == "*" || url == request.path || (url.hasSuffix("*") && request.path.hasPrefix(String(url.dropLast())))
            }
        }
        let groups = strings(rule["apiGroups"])
        guard groups.contains("*") || groups.contains(request.apiGroup) else { return false }
        let resources = strings(rule["resources"])
        let resourceMatches = resources.contains { resource in
            resource == "*" || resource == request.combinedResource
                || (!request.subresource.isEmpty && resource == "*/\(request.subresource)")
        }
        guard resourceMatches else { return false }
        let names = strings(rule["resourceNames"])
        return names.isEmpty || names.contains(request.name)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
