/// What keeps a dashboard on localhost the user's own: it talks to the cluster with the user's
/// credentials, so other web pages the user has open must neither read it nor act through it.
/// - Every request must name this server in `Host` (a page from elsewhere reaching it through
///   DNS rebinding names its own host); a wildcard listen address accepts any.
/// - An action must come from the dashboard's own page: `Origin` is this server, and the
///   `X-Cutover-Token` header carries the token only that page was given (a cross-site form
///   cannot set a header, a cross-site script cannot read the page).
struct RequestGuard: Sendable {
    /// The `host:port` names the server answers to; empty means any.
    let hosts: Set<String>
    /// The actions' token; nil when the dashboard is read-only.
    let token: String?

    static let tokenHeader = "X-Cutover-Token"

    /// For a server listening on `host:port`: loopback answers to its usual names as well.
    init(host: String, port: Int, token: String?) {
        var names: Set<String> = ListenHost.wildcards.contains(host) ? [] : ["\(ListenHost.bracketed(host)):\(port)"]
        if ListenHost.loopbackNames.contains(host) {
            names.formUnion(ListenHost.loopbackNames.map { "\(ListenHost.bracketed($0)):\(port)" })
        }
        hosts = names
        self.token = token
    }

    /// Why a request with this `Host` is refused, or nil.
    func refusal(host: String?) -> String? {
        guard !hosts.isEmpty else { return nil }
        guard let host, hosts.contains(host.lowercased()) else {
            return "this dashboard answers to \(hosts.sorted().joined(separator: ", ")), not \(host ?? "a request without Host")"
        }
        return nil
    }

    /// Why an action with this `Origin` and token is refused, or nil.
    func actionRefusal(host: String?, origin: String?, token presented: String?) -> String? {
        guard let token else { return "the dashboard is read-only: start it with --allow-actions to act from it" }
        guard let origin, let host, origin.lowercased() == "http://\(host.lowercased())" else {
            return "actions are accepted from the dashboard's own page only (Origin \(origin ?? "missing"))"
        }
        guard let presented, Self.same(presented, token) else { return "the page's action token is missing or stale: reload the page" }
        return nil
    }

    /// Compares without stopping at the first difference.
    private static func same(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
