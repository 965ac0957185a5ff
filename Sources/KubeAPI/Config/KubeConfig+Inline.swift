extension KubeConfig {
    /// A kubeconfig held as text (a Secret's key naming another cluster), resolved at its
    /// `current-context`. Only inline credentials are accepted — a token, a client certificate and
    /// key, basic auth — and inline CA data: an exec plugin, an auth provider or a file path would
    /// run or read something on the machine that reads it. `origin` names the text in messages
    /// (`Secret prod/staging-cluster key kubeconfig`).
    public static func parse(inline text: String, origin: String) throws -> KubeConfig {
        let file = try decodeKubeconfig(text, origin: origin)
        let credentials = "use inline data (a token, or client-certificate-data and client-key-data)"
        func refuse(_ entry: String, _ field: String, _ what: String, _ instead: String = credentials) -> ConfigError {
            .invalidField(entry: "\(entry) in \(origin)", field: field, reason: "\(what) is not allowed here; \(instead)")
        }
        for named in file.users ?? [] {
            let user = named.user ?? .init()
            let entry = "user \"\(named.name)\""
            if user.exec != nil { throw refuse(entry, "exec", "an exec credential plugin") }
            if user.authProvider != nil { throw refuse(entry, "auth-provider", "an auth provider") }
            if !(user.tokenFile ?? "").isEmpty { throw refuse(entry, "tokenFile", "a file") }
            if !(user.clientCertificate ?? "").isEmpty { throw refuse(entry, "client-certificate", "a file") }
            if !(user.clientKey ?? "").isEmpty { throw refuse(entry, "client-key", "a file") }
        }
        for named in file.clusters ?? [] where !(named.cluster?.certificateAuthority ?? "").isEmpty {
            throw refuse("cluster \"\(named.name)\"", "certificate-authority", "a file", "use certificate-authority-data")
        }
        guard !(file.currentContext ?? "").isEmpty else { throw ConfigError.missingField(entry: "kubeconfig \(origin)", field: "current-context") }
        var merged = MergedKubeconfig()
        merged.add(file, from: origin)
        return try merged.resolve(context: nil, files: [origin])
    }
}
