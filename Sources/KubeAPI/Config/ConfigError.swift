import Foundation

/// Why a client configuration could not be built. Every case names the file, the kubeconfig
/// entry and the field, so the message says what to fix.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No kubeconfig file exists at any searched location and no in-cluster environment is present.
    case noConfiguration(searched: [String])
    /// A file named by the configuration could not be read.
    case unreadableFile(path: String, field: String, reason: String)
    /// The kubeconfig is not valid YAML/JSON of the expected shape.
    case malformedKubeconfig(file: String, reason: String)
    /// The requested or current context does not exist.
    case unknownContext(name: String, files: [String])
    /// No context was requested and `current-context` is not set.
    case noCurrentContext(files: [String])
    /// A context names a cluster or user that does not exist.
    case unknownEntry(kind: String, name: String, context: String)
    /// A required field is missing.
    case missingField(entry: String, field: String)
    /// A field has a value that cannot be used.
    case invalidField(entry: String, field: String, reason: String)
    /// An exec credential plugin failed.
    case execPluginFailed(command: String, reason: String, stderr: String)
    /// The in-cluster environment is incomplete.
    case inClusterIncomplete(reason: String)

    public var description: String {
        switch self {
        case .noConfiguration(let searched):
            return "no Kubernetes configuration found: no kubeconfig at \(searched.joined(separator: ", ")) "
                + "and not running in a cluster (KUBERNETES_SERVICE_HOST unset); set KUBECONFIG or pass --kubeconfig"
        case .unreadableFile(let path, let field, let reason):
            return "cannot read \(path) (named by \(field)): \(reason)"
        case .malformedKubeconfig(let file, let reason):
            return "kubeconfig \(file) is not valid: \(reason)"
        case .unknownContext(let name, let files):
            return "context \"\(name)\" not found in \(files.joined(separator: ":"))"
        case .noCurrentContext(let files):
            return "no current-context set in \(files.joined(separator: ":")); pass --context or run kubectl config use-context"
        case .unknownEntry(let kind, let name, let context):
            return "context \"\(context)\" names \(kind) \"\(name)\", which is not defined"
        case .missingField(let entry, let field):
            return "\(entry): \(field) is required"
        case .invalidField(let entry, let field, let reason):
            return "\(entry): \(field) is invalid: \(reason)"
        case .execPluginFailed(let command, let reason, let stderr):
            let detail = stderr.isEmpty ? "" : "; stderr: \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            return "exec credential plugin \(command) failed: \(reason)\(detail)"
        case .inClusterIncomplete(let reason):
            return "in-cluster configuration incomplete: \(reason)"
        }
    }
}

