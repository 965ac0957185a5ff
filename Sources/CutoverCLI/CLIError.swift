import KubeAPI

/// A failure the plugin reports and exits 1 for, worded as kubectl words its own.
public enum CLIError: Error, Sendable, CustomStringConvertible {
    /// The action makes no sense in the Rollout's current state; the text says why and what to do.
    case refused(String)
    /// Bad flags or arguments.
    case usage(String)
    /// The configuration (kubeconfig, context) could not be used.
    case configuration(String)
    /// What was asked for does not exist (a release record, a revision); the text lists what does.
    case notFound(String)

    public var description: String {
        switch self {
        case .refused(let text), .usage(let text), .configuration(let text), .notFound(let text): return "error: \(text)"
        }
    }

    /// The message kubectl would print for `error`: `Error from server (NotFound): rollouts.cutover.dev "x" not found`,
    /// `Unable to connect to the server: ...`, or `error: ...`.
    public static func message(for error: any Error) -> String {
        if let error = error as? CLIError { return error.description }
        if let error = error as? KubeError {
            switch error {
            case .transport(_, _, let reason):
                return "Unable to connect to the server: \(reason)"
            case .decoding(let what, let reason):
                return "error: cannot decode \(what): \(reason)"
            case .unauthorized:
                return "error: You must be logged in to the server (Unauthorized)"
            default:
                let status = error.status
                return "Error from server (\(status?.reason ?? "Unknown")): \(status?.message ?? error.description)"
            }
        }
        return "error: \(error)"
    }
}
