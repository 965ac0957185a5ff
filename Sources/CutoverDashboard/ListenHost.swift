/// The address the dashboard listens on, as `--address` gives it: what it is reached by, what
/// names it answers to (``RequestGuard``) and whether it stays on this machine.
enum ListenHost {
    /// Addresses that listen on every interface.
    static let wildcards: Set<String> = ["0.0.0.0", "::", "[::]", ""]
    /// The usual names of loopback, each answered to by a dashboard on any of them.
    static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    /// Whether only this machine can reach `host`.
    static func isLoopback(_ host: String) -> Bool { loopbackNames.contains(host) || host.hasPrefix("127.") }

    /// `host` as it goes in a URL or a `Host` header: IPv6 in brackets.
    static func bracketed(_ host: String) -> String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host }

    /// The host to open in a browser: a wildcard address is reached through loopback.
    static func urlHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": return "127.0.0.1"
        case "::", "[::]": return "[::1]"
        default: return bracketed(host)
        }
    }
}
