/// The notification outbox in `status.notifications`. An event is written here before it is sent
/// and leaves once every target has it (or gave up), so a restarted controller sends what is
/// left and nothing twice — except an event whose 2xx came back in the instant before the
/// controller died and its removal could be written; receivers can drop that repeat by `id`.
public struct NotificationStatus: Codable, Sendable, Hashable {
    /// The id of the newest event put in the outbox; ids grow by one per event.
    public var lastID: Int64
    /// Events not yet delivered to all their targets, oldest first (at most ``pendingLimit``).
    public var pending: [PendingNotification]

    /// Events kept waiting; beyond it the oldest is dropped (with a warning Event).
    public static let pendingLimit = 32

    public init(lastID: Int64 = 0, pending: [PendingNotification] = []) {
        self.lastID = lastID
        self.pending = pending
    }
}

/// One release event waiting for delivery.
public struct PendingNotification: Codable, Sendable, Hashable {
    /// Unique per Rollout; also sent, so receivers can drop repeats.
    public var id: Int64
    /// The release's green revision and the revision serving before it.
    public var revision: String
    /// The revision serving before it (nil for a first revision).
    public var blueRevision: String?
    /// What happened.
    public var event: ReleaseEvent
    /// Targets (by name) that have not got it yet.
    public var targets: [String]

    public init(id: Int64, revision: String, blueRevision: String?, event: ReleaseEvent, targets: [String]) {
        self.id = id
        self.revision = revision
        self.blueRevision = blueRevision
        self.event = event
        self.targets = targets
    }
}

/// The end of delivering one pending notification to one target, passed to the next plan in
/// ``ReleaseSnapshot/deliveries``.
public struct NotificationDelivery: Sendable, Hashable {
    /// The ``PendingNotification/id``.
    public var id: Int64
    /// The target (by name).
    public var target: String
    /// False when it still failed after every retry (or could not be tried: no Secret).
    public var delivered: Bool
    /// Why it failed.
    public var message: String?

    public init(id: Int64, target: String, delivered: Bool, message: String? = nil) {
        self.id = id
        self.target = target
        self.delivered = delivered
        self.message = message
    }
}
