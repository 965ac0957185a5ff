import Cutover
import KubeModels

/// The report of one group release (`kubectl cutover report group NAME`): a ``ReleaseRecord``
/// from the ReleaseGroup's `status.history` (its `images` are `member=revision`), with the changed
/// members as `status.release` has them (blue revision, wave, cutover time) and the cause of a
/// revert from `status.abort`. Its JSON is the record's own fields plus `releaseGroup`,
/// `namespace`, `members` and `abort`, with the names and values of the status. Nothing in it
/// depends on the clock.
public struct GroupReleaseReport: Codable, Sendable, Hashable {
    /// The ReleaseGroup's name.
    public var releaseGroup: String
    /// Its namespace.
    public var namespace: String
    /// The group release, exactly as in `status.history`.
    public var record: ReleaseRecord
    /// The changed members from `status.release`, when that is this release (the newest);
    /// empty for older releases, whose record names only `member=revision`.
    public var members: [GroupReleaseMember]
    /// Why the release was reverted (`status.abort`), when it is the newest and was rolled back.
    public var abort: AbortStatus?

    public init(releaseGroup: String, namespace: String, record: ReleaseRecord, members: [GroupReleaseMember], abort: AbortStatus?) {
        self.releaseGroup = releaseGroup
        self.namespace = namespace
        self.record = record
        self.members = members
        self.abort = abort
    }

    /// The report of the newest group release of `group`, or of the newest release of `revision`
    /// (the group release's revision). Throws ``CLIError/notFound(_:)`` when the group has no
    /// release record yet or none of `revision`; the latter lists the revisions there are.
    public init(group: ReleaseGroup, revision: String? = nil) throws {
        let name = group.metadata.name ?? "-"
        let status = group.status ?? ReleaseGroupStatus()
        let history = status.history ?? []
        let index = try ReleaseRecord.reportIndex(in: history, revision: revision, owner: "releasegroup \(name)")
        let record = history[index]
        let newest = index == history.count - 1
        let release = status.release.flatMap { newest && $0.revision == record.revision ? $0 : nil }
        self.init(
            releaseGroup: name, namespace: group.metadata.namespace ?? "-", record: record, members: release?.members ?? [],
            abort: newest && record.outcome == .rolledBack ? status.abort : nil)
    }

    private enum Keys: String, CodingKey {
        case releaseGroup, namespace, members, abort
    }

    /// The record's fields and the report's own keys in one flat object.
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(releaseGroup, forKey: .releaseGroup)
        try container.encode(namespace, forKey: .namespace)
        try container.encode(members, forKey: .members)
        try container.encodeIfPresent(abort, forKey: .abort)
    }

    public init(from decoder: any Decoder) throws {
        record = try ReleaseRecord(from: decoder)
        let container = try decoder.container(keyedBy: Keys.self)
        releaseGroup = try container.decode(String.self, forKey: .releaseGroup)
        namespace = try container.decode(String.self, forKey: .namespace)
        members = try container.decodeIfPresent([GroupReleaseMember].self, forKey: .members) ?? []
        abort = try container.decodeIfPresent(AbortStatus.self, forKey: .abort)
    }
}
