import Foundation
import NIOSSL
import Yams

/// Everything needed to talk to one API server: where it is, how to trust it, who we are.
///
/// Built from a kubeconfig (``load(path:context:environment:)``), from the in-cluster
/// service-account files (``inCluster(environment:directory:)``), or by ``detect(path:context:environment:)``
/// which picks the way kubectl and controller-runtime do.
public struct KubeConfig: Sendable {
    /// `https://host:port` (or `http://` for plain test servers), without a trailing slash.
    public var server: String
    /// The namespace of the context (`default` when the context names none).
    public var namespace: String
    /// How the server certificate is checked.
    public var trust: ServerTrust
    /// The name to verify the server certificate against, when it differs from the URL's host.
    public var tlsServerName: String?
    /// Who we are.
    public var credentials: Credentials
    /// Where this configuration came from, for messages (`kubeconfig /x (context ctx)`, `in-cluster`).
    public var origin: String

    public init(
        server: String, namespace: String = "default", trust: ServerTrust = .systemRoots,
        tlsServerName: String? = nil, credentials: Credentials = .none, origin: String = "explicit"
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.trust = trust
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.origin = origin
    }

    /// How the server's certificate is verified.
    public enum ServerTrust: Sendable, Equatable {
        /// The system's CA bundle.
        case systemRoots
        /// Only these CA certificates (PEM).
        case certificateAuthority(pem: [UInt8])
        /// No verification at all (`insecure-skip-tls-verify: true`).
        case insecureSkipVerify
    }

    /// The credential kinds of a kubeconfig user (and of in-cluster service accounts).
    public enum Credentials: Sendable, Equatable {
        case none
        case bearerToken(String)
        /// A token read from a file and re-read periodically (projected service-account tokens rotate).
        case tokenFile(path: String)
        case basic(username: String, password: String)
        /// A client certificate chain and private key, PEM.
        case clientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8])
        case exec(ExecPlugin)
    }

    /// An exec credential plugin (`client.authentication.k8s.io/v1`).
    public struct ExecPlugin: Sendable, Equatable {
        public var command: String
        public var args: [String]
        public var env: [String: String]
        public var apiVersion: String
        /// The entry for messages (`user "dev" in /home/x/.kube/config`).
        public var entry: String

        public init(command: String, args: [String] = [], env: [String: String] = [:],
                    apiVersion: String = "client.authentication.k8s.io/v1", entry: String = "exec plugin") {
            self.command = command
            self.args = args
            self.env = env
            self.apiVersion = apiVersion
            self.entry = entry
        }
    }
}

extension KubeConfig {
    /// Picks a configuration the way controllers do: an explicit path, else `$KUBECONFIG`, else the
    /// in-cluster service account when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    public static func detect(
        path: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KubeConfig {
        if path != nil || !(environment["KUBECONFIG"] ?? "").isEmpty {
            return try load(path: path, context: context, environment: environment)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty, context == nil {
            return try inCluster(environment: environment)
        }
        return try load(path: nil, context: context, environment: environment)
    }

    /// Reads kubeconfig files as kubectl does: `path` if given, else the colon-separated
    /// `$KUBECONFIG` list merged with the first definition of each name winning, else
    /// `~/.kube/config`. `context` nil means the files' `current-context`.
    public static func load(
        path: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KubeConfig {
        let files: [String]
        if let path {
            files = [path]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            files = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            files = ["\(home)/.kube/config"]
        }
        var merged = MergedKubeconfig()
        var readAny = false
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else {
                // kubectl skips missing entries of $KUBECONFIG but fails on an explicit path.
                if path != nil { throw ConfigError.unreadableFile(path: file, field: "--kubeconfig", reason: "no such file") }
                continue
            }
            readAny = true
            merged.add(try parseKubeconfig(at: file), from: file)
        }
        guard readAny else { throw ConfigError.noConfiguration(searched: files) }
        return try merged.resolve(context: context, files: files)
    }

    static func parseKubeconfig(at file: String) throws -> KubeconfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError.unreadableFile(path: file, field: "kubeconfig", reason: error.localizedDescription)
        }
        return try decodeKubeconfig(text, origin: file)
    }

    /// `text` as a kubeconfig; `origin` (a file, a Secret's key) names it in the error.
    static func decodeKubeconfig(_ text: String, origin: String) throws -> KubeconfigFile {
        do {
            return try YAMLDecoder().decode(KubeconfigFile.self, from: text)
        } catch let error as DecodingError {
            throw ConfigError.malformedKubeconfig(file: origin, reason: describe(error))
        } catch {
            throw ConfigError.malformedKubeconfig(file: origin, reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Several kubeconfig files merged by kubectl's rule: the first file to define a name wins, and
/// `current-context` comes from the first file that sets it.
struct MergedKubeconfig {
    var clusters: [String: (KubeconfigFile.Cluster, file: String)] = [:]
    var users: [String: (KubeconfigFile.User, file: String)] = [:]
    var contexts: [String: (KubeconfigFile.Context, file: String)] = [:]
    var currentContext: String?

    mutating func add(_ config: KubeconfigFile, from file: String) {
        for entry in config.clusters ?? [] where clusters[entry.name] == nil {
            clusters[entry.name] = (entry.cluster ?? .init(), file)
        }
        for entry in config.users ?? [] where users[entry.name] == nil {
            users[entry.name] = (entry.user ?? .init(), file)
        }
        for entry in config.contexts ?? [] where contexts[entry.name] == nil {
            contexts[entry.name] = (entry.context ?? .init(), file)
        }
        if currentContext == nil, let current = config.currentContext, !current.isEmpty {
            currentContext = current
        }
    }

    func resolve(context requested: String?, files: [String]) throws -> KubeConfig {
        guard let contextName = requested ?? currentContext else { throw ConfigError.noCurrentContext(files: files) }
        guard let (context, _) = contexts[contextName] else {
            throw ConfigError.unknownContext(name: contextName, files: files)
        }
        guard let clusterName = context.cluster, !clusterName.isEmpty else {
            throw ConfigError.missingField(entry: "context \"\(contextName)\"", field: "cluster")
        }
        guard let (cluster, clusterFile) = clusters[clusterName] else {
            throw ConfigError.unknownEntry(kind: "cluster", name: clusterName, context: contextName)
        }
        let clusterEntry = "cluster \"\(clusterName)\" in \(clusterFile)"
        guard let server = cluster.server, !server.isEmpty else {
            throw ConfigError.missingField(entry: clusterEntry, field: "server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw ConfigError.invalidField(entry: clusterEntry, field: "server", reason: "\"\(server)\" is not an http(s) URL")
        }
        var trust = KubeConfig.ServerTrust.systemRoots
        if cluster.insecureSkipTLSVerify == true {
            trust = .insecureSkipVerify
        } else if let data = cluster.certificateAuthorityData, !data.isEmpty {
            trust = .certificateAuthority(
                pem: try PEMCheck.certificates(base64: data, entry: clusterEntry, field: "certificate-authority-data"))
        } else if let path = cluster.certificateAuthority, !path.isEmpty {
            let bytes = try PEMCheck.read(relativeTo: clusterFile, path: path, field: "\(clusterEntry): certificate-authority")
            trust = .certificateAuthority(
                pem: try PEMCheck.certificates(pem: bytes, entry: clusterEntry, field: "certificate-authority (\(path))"))
        }
        var credentials = KubeConfig.Credentials.none
        if let userName = context.user, !userName.isEmpty {
            guard let (user, userFile) = users[userName] else {
                throw ConfigError.unknownEntry(kind: "user", name: userName, context: contextName)
            }
            credentials = try Self.credentials(of: user, entry: "user \"\(userName)\" in \(userFile)", file: userFile)
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeConfig(
            server: server, namespace: namespace, trust: trust, tlsServerName: cluster.tlsServerName,
            credentials: credentials, origin: "kubeconfig \(files.joined(separator: ":")) (context \(contextName))")
    }

    static func credentials(of user: KubeconfigFile.User, entry: String, file: String) throws -> KubeConfig.Credentials {
        if let token = user.token, !token.isEmpty { return .bearerToken(token) }
        if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            let path = PEMCheck.absolute(tokenFile, relativeTo: file)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigError.unreadableFile(path: path, field: "\(entry): tokenFile", reason: "no such readable file")
            }
            return .tokenFile(path: path)
        }
        let hasCertificate = user.clientCertificateData != nil || user.clientCertificate != nil
        let hasKey = user.clientKeyData != nil || user.clientKey != nil
        if hasCertificate || hasKey {
            guard hasCertificate else { throw ConfigError.missingField(entry: entry, field: "client-certificate or client-certificate-data") }
            guard hasKey else { throw ConfigError.missingField(entry: entry, field: "client-key or client-key-data") }
            let certificate: [UInt8]
            if let data = user.clientCertificateData {
                certificate = try PEMCheck.clientCertificate(
                    pem: try PEMCheck.decodeBase64(data, entry: entry, field: "client-certificate-data"), entry: entry,
                    field: "client-certificate-data")
            } else {
                let path = user.clientCertificate!
                certificate = try PEMCheck.clientCertificate(
                    pem: try PEMCheck.read(relativeTo: file, path: path, field: "\(entry): client-certificate"),
                    entry: entry, field: "client-certificate (\(path))")
            }
            let key: [UInt8]
            if let data = user.clientKeyData {
                key = try PEMCheck.privateKey(base64: data, entry: entry, field: "client-key-data")
            } else {
                let path = user.clientKey!
                key = try PEMCheck.privateKey(
                    pem: try PEMCheck.read(relativeTo: file, path: path, field: "\(entry): client-key"),
                    entry: entry, field: "client-key (\(path))")
            }
            return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        }
        if let username = user.username, !username.isEmpty {
            guard let password = user.password else { throw ConfigError.missingField(entry: entry, field: "password") }
            return .basic(username: username, password: password)
        }
        if let exec = user.exec {
            guard let command = exec.command, !command.isEmpty else {
                throw ConfigError.missingField(entry: entry, field: "exec.command")
            }
            let apiVersion = exec.apiVersion ?? ""
            guard apiVersion.hasPrefix("client.authentication.k8s.io/") else {
                throw ConfigError.invalidField(
                    entry: entry, field: "exec.apiVersion",
                    reason: "\"\(apiVersion)\" is not client.authentication.k8s.io/v1 or v1beta1")
            }
            var env: [String: String] = [:]
            for variable in exec.env ?? [] { env[variable.name] = variable.value }
            // A relative command with a slash is relative to the kubeconfig's directory, as in kubectl.
            let resolved = command.contains("/") ? PEMCheck.absolute(command, relativeTo: file) : command
            return .exec(.init(command: resolved, args: exec.args ?? [], env: env, apiVersion: apiVersion, entry: entry))
        }
        if user.authProvider != nil {
            throw ConfigError.invalidField(
                entry: entry, field: "auth-provider", reason: "auth-provider plugins are removed from Kubernetes; use an exec plugin")
        }
        return .none
    }
}

