/// What a command acts on, from its `[KIND] NAME` arguments, the same on every command: a name
/// alone is a Rollout's (`kubectl cutover get payment`, as always); a kind word before it picks
/// the kind (`kubectl cutover get group shop`).
public enum ReleaseTarget: Sendable, Hashable {
    /// A Rollout, by name.
    case rollout(String)
    /// A ReleaseGroup, by name.
    case group(String)

    /// The kind words before a ReleaseGroup's name: kubectl's names for the resource, and `group`.
    public static let groupKinds = ["group", "groups", "releasegroup", "releasegroups", "crg"]
    /// The kind words before a Rollout's name (optional: a name alone is a Rollout's).
    public static let rolloutKinds = ["rollout", "rollouts", "cro"]

    /// Parses `NAME` or `KIND NAME`. Throws ``CLIError/usage(_:)`` for a kind it does not know.
    public init(_ first: String, _ second: String?) throws {
        guard let name = second else {
            self = .rollout(first)
            return
        }
        let kind = first.lowercased()
        if Self.groupKinds.contains(kind) {
            self = .group(name)
        } else if Self.rolloutKinds.contains(kind) {
            self = .rollout(name)
        } else {
            throw CLIError.usage(
                "unknown kind \"\(first)\": give a Rollout's name, or a kind and a name: group NAME (also \(Self.groupKinds.dropFirst(2).joined(separator: ", "))) or rollout NAME")
        }
    }
}
