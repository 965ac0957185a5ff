import Cutover
import KubeModels

/// The deployment report of one release (`kubectl cutover report`): a ``ReleaseRecord`` from
/// `status.history` with the Rollout it belongs to and the gate hooks of its revision. Its JSON is the record's own fields, as the status has them, plus `rollout`,
/// `namespace` and `hooks`, so a script reads the same names as in `kubectl get rollout -o json`.
/// Nothing in it depends on the clock: the same record always gives the same report.
public struct ReleaseReport: Codable, Sendable, Hashable {
    /// The Rollout's name.
    public var rollout: String
    /// The Rollout's namespace.
    public var namespace: String
    /// The release, exactly as in `status.history`.
    public var record: ReleaseRecord
    /// The gate hooks of the release: the closed record's own, or, in flight, those of its revision
    /// in `status.hooks`; in the order they were called.
    public var hooks: [HookStatus]

    public init(rollout: String, namespace: String, record: ReleaseRecord, hooks: [HookStatus]) {
        self.rollout = rollout
        self.namespace = namespace
        self.record = record
        self.hooks = hooks
    }

    /// The report of the newest release of `rollout`, or of the newest release of `revision`.
    /// Throws ``CLIError/notFound(_:)`` when the Rollout has no release record yet or none of
    /// `revision`; the latter lists the revisions there are, newest first.
    public init(rollout: Rollout, revision: String? = nil) throws {
        let name = rollout.metadata.name ?? "-"
        let history = rollout.status?.history ?? []
        self.init(rollout: rollout, record: history[try ReleaseRecord.reportIndex(in: history, revision: revision, owner: "rollout \(name)")])
    }

    /// The report of `record`, one of `rollout`'s `status.history`.
    public init(rollout: Rollout, record chosen: ReleaseRecord) {
        // A closed record carries its hooks; the release in flight has them in status.hooks. The
        // report's own `hooks` key holds them either way, so the record's copy is not repeated.
        let hooks = chosen.hooks ?? (rollout.status?.hooks ?? []).filter { $0.revision == chosen.revision }
        var record = chosen
        record.hooks = nil
        self.init(rollout: rollout.metadata.name ?? "-", namespace: rollout.metadata.namespace ?? "-", record: record, hooks: hooks)
    }

    private enum Keys: String, CodingKey {
        case rollout, namespace, hooks
    }

    /// The record's fields and the report's own keys in one flat object.
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(rollout, forKey: .rollout)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(hooks, forKey: .hooks)
    }

    public init(from decoder: any Decoder) throws {
        // The flat object's `hooks` are the report's; the record does not carry a second copy.
        record = try ReleaseRecord(from: decoder)
        record.hooks = nil
        let container = try decoder.container(keyedBy: Keys.self)
        rollout = try container.decode(String.self, forKey: .rollout)
        namespace = try container.decode(String.self, forKey: .namespace)
        hooks = try container.decodeIfPresent([HookStatus].self, forKey: .hooks) ?? []
    }
}

extension ReleaseReport {
    /// Seconds from the start to the end; nil while the release runs.
    public var durationSeconds: Int64? { record.durationSeconds }

    /// `Promoted`, `RolledBack`, `Superseded`, or `in flight` while it runs.
    public var outcomeText: String { record.outcomeText }

    /// A hook in one line: `Passed (2 attempts): HTTP 200: ok`, `Failed (3 attempts): HTTP 500: boom`,
    /// `Running`, with its start (and end) time.
    static func hookLine(_ hook: HookStatus) -> String {
        var text = hook.phase.rawValue
        if let attempts = hook.attempts { text += " (\(attempts) attempt\(attempts == 1 ? "" : "s"))" }
        if let message = hook.message, !message.isEmpty { text += ": \(message)" }
        text += "; started \(hook.startedAt)"
        if let finished = hook.finishedAt { text += ", finished \(finished)" }
        return text
    }
}
