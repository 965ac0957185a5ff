/// Settings of a ``LeaderElector``; the defaults are kube-controller-manager's.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// The Lease's name and namespace.
    public var leaseName: String
    public var leaseNamespace: String
    /// Who this replica is (unique per process: pod name plus a random suffix).
    public var identity: String
    /// How long a lease is valid after the holder's last renewal, as other candidates judge it.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leading.
    public var renewDeadline: Duration
    /// How often candidates try to acquire and the leader renews.
    public var retryPeriod: Duration
    /// Whether to hand the lease back (empty holder) when leading ends gracefully, so another
    /// replica can take over at once instead of after ``leaseDuration``.
    public var releaseOnCancel: Bool
    /// What an operator can do when campaigning fails outright (the Lease's namespace does not
    /// exist, no RBAC), appended to the warning: the program's own flags, say.
    public var remedy: String?

    /// Validates LeaseDuration > RenewDeadline > 1.2 × RetryPeriod (client-go's rule: the renew
    /// deadline must leave room for a jittered retry, and candidates must not judge the lease
    /// expired while the leader may still be renewing).
    public init(
        leaseName: String, leaseNamespace: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
    ) throws(LeaderElectionConfigurationError) {
        guard !leaseName.isEmpty, !leaseNamespace.isEmpty else { throw .missingLease }
        guard !identity.isEmpty else { throw .missingIdentity }
        guard leaseDuration >= .seconds(1) else { throw .leaseDurationTooShort(leaseDuration) }
        guard leaseDuration > renewDeadline else {
            throw .leaseDurationNotAboveRenewDeadline(leaseDuration: leaseDuration, renewDeadline: renewDeadline)
        }
        guard renewDeadline > retryPeriod * 1.2, retryPeriod > .zero else {
            throw .renewDeadlineTooShort(renewDeadline: renewDeadline, retryPeriod: retryPeriod)
        }
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// `leaseDurationSeconds` as written to the Lease (whole seconds, rounded up).
    var leaseDurationSeconds: Int32 { Int32(leaseDuration.seconds.rounded(.up)) }
}

/// Why a ``LeaderElectionConfiguration`` was refused; each case says what to change.
public enum LeaderElectionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingLease
    case missingIdentity
    case leaseDurationTooShort(Duration)
    case leaseDurationNotAboveRenewDeadline(leaseDuration: Duration, renewDeadline: Duration)
    case renewDeadlineTooShort(renewDeadline: Duration, retryPeriod: Duration)

    public var description: String {
        switch self {
        case .missingLease: return "leader election needs a lease name and namespace"
        case .missingIdentity: return "leader election needs a non-empty identity"
        case .leaseDurationTooShort(let d): return "lease duration \(d) is too short: use at least 1s"
        case .leaseDurationNotAboveRenewDeadline(let lease, let renew):
            return "lease duration (\(lease)) must be greater than the renew deadline (\(renew))"
        case .renewDeadlineTooShort(let renew, let retry):
            return "renew deadline (\(renew)) must be greater than 1.2 × the retry period (\(retry))"
        }
    }
}
