/// The kubeconfig file format (`kind: Config`), as kubectl reads it. Every field optional: the
/// validation that names a missing field happens when a context is resolved.
struct KubeconfigFile: Codable, Sendable {
    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    struct NamedCluster: Codable, Sendable {
        var name: String
        var cluster: Cluster?
    }

    struct NamedUser: Codable, Sendable {
        var name: String
        var user: User?
    }

    struct NamedContext: Codable, Sendable {
        var name: String
        var context: Context?
    }

    struct Cluster: Codable, Sendable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?
        var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    struct User: Codable, Sendable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var exec: Exec?
        var authProvider: JSONLike?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// A field we only need to notice, not read.
    struct JSONLike: Codable, Sendable {
        init(from decoder: any Decoder) throws {}
        func encode(to encoder: any Encoder) throws {}
    }

    struct Exec: Codable, Sendable {
        var apiVersion: String?
        var command: String?
        var args: [String]?
        var env: [EnvVar]?
        var interactiveMode: String?
        var provideClusterInfo: Bool?
    }

    struct EnvVar: Codable, Sendable {
        var name: String
        var value: String
    }

    struct Context: Codable, Sendable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }
}
