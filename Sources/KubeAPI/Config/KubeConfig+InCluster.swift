import Foundation

extension KubeConfig {
    /// The service-account directory every pod gets.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The in-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`
    /// (IPv6 hosts bracketed), the service-account CA, the token file (re-read while running, as
    /// projected tokens rotate) and the pod's namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw ConfigError.inClusterIncomplete(reason: "KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw ConfigError.inClusterIncomplete(reason: "KUBERNETES_SERVICE_PORT is not set")
        }
        guard Int(port) != nil else {
            throw ConfigError.inClusterIncomplete(reason: "KUBERNETES_SERVICE_PORT \"\(port)\" is not a number")
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let tokenPath = "\(directory)/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw ConfigError.unreadableFile(path: tokenPath, field: "in-cluster service-account token", reason: "no such readable file")
        }
        let caPath = "\(directory)/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw ConfigError.unreadableFile(path: caPath, field: "in-cluster service-account CA", reason: "no such readable file")
        }
        let entry = "in-cluster service account"
        let caPEM = try PEMCheck.certificates(pem: Array(ca), entry: entry, field: caPath)
        let namespace = (try? String(contentsOfFile: "\(directory)/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return KubeConfig(
            server: "https://\(bracketed):\(port)", namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            trust: .certificateAuthority(pem: caPEM), credentials: .tokenFile(path: tokenPath), origin: "in-cluster")
    }
}
