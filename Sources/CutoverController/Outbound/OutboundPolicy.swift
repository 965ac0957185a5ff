import KubeModels
import NIOPosix
import Yams

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the controller may send requests on a Rollout's behalf: Prometheus queries, gate hooks,
/// notifications, and promotion sources in other clusters. Whoever may create a Rollout chooses
/// those addresses, so the operator bounds them (docs/security.md):
///
/// - always denied: link-local addresses (169.254.0.0/16, fe80::/10, where clouds serve instance
///   metadata and credentials), the cloud metadata names and addresses, the controller's own API
///   server endpoint, and the policy file's `deny` list;
/// - per target, if the policy file lists it: only the hosts and networks listed.
///
/// A hostname is checked by name, and every address it resolves to against the networks. Redirects
/// are never followed (each client disallows them), so a target cannot bounce a request elsewhere.
public struct OutboundPolicy: Sendable, Hashable {
    /// The kinds of target, as the policy file names them.
    public enum Target: String, CaseIterable, Sendable, Hashable {
        case prometheus, hooks, notifications, clusters
    }

    /// A host name (`prometheus.monitoring.svc`), a name suffix (`*.svc.cluster.local`), a network
    /// (`10.0.0.0/8`, `fd00::/8`, or one address), or one endpoint (`host:port`).
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        enum Match: Sendable, Hashable {
            case host(String)
            case suffix(String)
            case network(IPNetwork)
            case endpoint(host: String, port: Int)
        }

        let match: Match
        /// The rule as written, and why it exists for the built-in ones.
        public let description: String

        /// Parses one rule as the policy file writes it.
        public init(_ text: String) throws {
            let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
            description = trimmed
            if let network = IPNetwork(trimmed) {
                match = .network(network)
            } else if trimmed.hasPrefix("*."), Self.isHostName(String(trimmed.dropFirst(2))) {
                match = .suffix(String(trimmed.dropFirst(1)))
            } else if Self.isHostName(trimmed) {
                match = .host(trimmed)
            } else {
                throw OutboundPolicyError("\"\(text)\" is not a host name, *.suffix, address or CIDR network")
            }
        }

        init(_ match: Match, _ description: String) {
            self.match = match
            self.description = description
        }

        func matches(host: String, port: Int, addresses: [IPAddress]) -> Bool {
            switch match {
            case .host(let name): host == name
            case .suffix(let suffix): host.hasSuffix(suffix)
            case .network(let network): addresses.contains { network.contains($0) }
            case .endpoint(let name, let endpointPort):
                port == endpointPort && (host == name || (IPAddress(name).map { addresses.contains($0) } ?? false))
            }
        }

        /// For an allow rule: the host is covered, by name or with every address it resolved to.
        func covers(host: String, addresses: [IPAddress]) -> Bool {
            switch match {
            case .host, .suffix: matches(host: host, port: 0, addresses: addresses)
            case .network(let network): !addresses.isEmpty && addresses.allSatisfy { network.contains($0) }
            case .endpoint: false
            }
        }

        /// A DNS name (RFC 1123 labels, lower case), within DNS's lengths.
        static func isHostName(_ text: String) -> Bool {
            text.utf8.count <= 253 && DNSName.isRFC1123Subdomain(text)
                && text.split(separator: ".").allSatisfy { $0.utf8.count <= 63 }
        }
    }

    /// Denied for every target.
    public private(set) var deny: [Rule]
    /// Per listed target, what is allowed; a target not listed may reach anything not denied.
    public private(set) var allow: [Target: [Rule]]

    /// Link-local networks and the cloud metadata endpoints, denied whatever the policy file says.
    public static let builtInDenies: [Rule] = [
        Rule(.network(IPNetwork("169.254.0.0/16")!), "169.254.0.0/16 (link-local, cloud instance metadata)"),
        Rule(.network(IPNetwork("fe80::/10")!), "fe80::/10 (link-local)"),
        Rule(.network(IPNetwork("fd00:ec2::254/128")!), "fd00:ec2::254 (cloud instance metadata)"),
        Rule(.network(IPNetwork("100.100.100.200/32")!), "100.100.100.200 (cloud instance metadata)"),
        Rule(.host("metadata.google.internal"), "metadata.google.internal (cloud instance metadata)"),
        Rule(.host("metadata"), "metadata (cloud instance metadata)"),
    ]

    /// The built-in denies, plus `deny`, and only `allow` for the targets it lists.
    public init(allow: [Target: [Rule]] = [:], deny: [Rule] = []) {
        self.allow = allow
        self.deny = Self.builtInDenies + deny
    }

    /// This policy, also denying the controller's own API server (`server` from its kubeconfig):
    /// a Rollout must not make the controller call the API with requests of its choosing.
    public func denyingAPIServer(_ server: String) -> OutboundPolicy {
        guard let url = URL(string: server), let host = url.host?.lowercased() else { return self }
        let port = url.port ?? (url.scheme == "http" ? 80 : 443)
        var policy = self
        policy.deny.append(Rule(.endpoint(host: Self.unbracketed(host), port: port), "\(host):\(port) (the Kubernetes API server)"))
        return policy
    }

    /// The policy file (YAML):
    ///
    /// ```yaml
    /// deny: [10.0.0.0/8]                     # beyond the built-in denies
    /// prometheus: [prometheus.monitoring.svc, "*.monitoring.svc.cluster.local"]
    /// hooks: ["*.svc.cluster.local"]
    /// notifications: [hooks.slack.com]
    /// clusters: [staging.k8s.example.com]
    /// ```
    public static func parse(yaml text: String, origin: String) throws -> OutboundPolicy {
        let document: [String: [String]]
        do {
            document = try YAMLDecoder().decode([String: [String]].self, from: text.isEmpty ? "{}" : text)
        } catch {
            throw OutboundPolicyError("\(origin): not a map of lists of rules: \(error)")
        }
        var allow: [Target: [Rule]] = [:]
        var deny: [Rule] = []
        for (key, texts) in document.sorted(by: { $0.key < $1.key }) {
            let rules = try texts.map { text in
                do { return try Rule(text) } catch let error as OutboundPolicyError { throw OutboundPolicyError("\(origin): \(key): \(error)") }
            }
            if key == "deny" {
                deny = rules
            } else if let target = Target(rawValue: key) {
                allow[target] = rules
            } else {
                let known = (["deny"] + Target.allCases.map(\.rawValue)).joined(separator: ", ")
                throw OutboundPolicyError("\(origin): unknown key \"\(key)\"; known: \(known)")
            }
        }
        return OutboundPolicy(allow: allow, deny: deny)
    }

    /// Nil when `url` may be called for `target`; else why not, naming the rule
    /// (`refused by the outbound policy: 169.254.169.254 is denied by 169.254.0.0/16 (link-local, cloud instance metadata)`).
    public func refusal(of url: String, for target: Target) async -> String? {
        guard let parsed = URL(string: url), let rawHost = parsed.host?.lowercased(), !rawHost.isEmpty else { return nil }
        let host = Self.unbracketed(rawHost)
        let port = parsed.port ?? (parsed.scheme == "http" ? 80 : 443)
        let addresses: [IPAddress]
        if let literal = IPAddress(host) { addresses = [literal] } else { addresses = await Self.resolve(host) }
        if let rule = deny.first(where: { $0.matches(host: host, port: port, addresses: addresses) }) {
            return "refused by the outbound policy: \(host) is denied by \(rule)"
        }
        if let allowed = allow[target], !allowed.contains(where: { $0.covers(host: host, addresses: addresses) }) {
            let listed = allowed.map(\.description).joined(separator: ", ")
            return "refused by the outbound policy: \(host) is not an allowed \(target.rawValue) target (allowed: \(listed.isEmpty ? "none" : listed))"
        }
        return nil
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The addresses `host` resolves to (none when it does not), looked up off the cooperative pool.
    static func resolve(_ host: String) async -> [IPAddress] {
        (try? await NIOThreadPool.singleton.runIfActive { lookUp(host) }) ?? []
    }

    private static func lookUp(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { found.append(IPAddress(bytes: Array($0))) }
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { found.append(IPAddress(bytes: Array($0))) }
                    }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return found
    }
}

/// A bad policy file or rule, said plainly.
public struct OutboundPolicyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
