/// The label and annotation keys Cutover reads and writes.
public enum CutoverLabels {
    /// On every Deployment, selector and pod Cutover creates: the Rollout's name.
    public static let rollout = "cutover.dev/rollout"
    /// On every Deployment, selector and pod Cutover creates, and the one Service selector key it owns.
    public static let revision = "cutover.dev/revision"
    /// On a Service: the Rollout (same namespace) that steers it. The first Rollout to use a Service
    /// claims it; another Rollout naming it leaves it alone (`Available=False`, `ServiceInUse`).
    public static let managedBy = "cutover.dev/managed-by"
    /// On a gate Job Cutover creates: the gate (`preRelease`, `preCutover`, `postCutover`).
    public static let hook = "cutover.dev/hook"
    /// On a metric's Job Cutover creates: the metric.
    public static let metric = "cutover.dev/metric"
    /// With `--shards N` (N > 1): on a Rollout and its Deployments, the shard (`2-of-3`) whose
    /// controller replica acts on them; kept by the controller (docs/scale.md).
    public static let shard = "cutover.dev/shard"
    /// On a Rollout: the ReleaseGroup (same namespace) it is released with.
    public static let group = "cutover.dev/group"
    /// Edge-triggered: promote past the remaining steps and the approval.
    public static let promote = "cutover.dev/promote"
    /// Edge-triggered: promote and skip the remaining analysis too.
    public static let promoteFull = "cutover.dev/promote-full"
    /// Edge-triggered: revert the release in flight.
    public static let abort = "cutover.dev/abort"
    /// Edge-triggered: release a rolled-back template again.
    public static let retry = "cutover.dev/retry"
    /// Edge-triggered: release the template waiting at the promotion gate unverified; the value
    /// (a ticket, a reason) and who set it go in the release record.
    public static let promoteUnverified = "cutover.dev/promote-unverified"
    /// Level-triggered: `"true"` pauses forward progress, anything else resumes.
    public static let paused = "cutover.dev/paused"
    /// On every Deployment Cutover creates: the full 64-bit fingerprint of the Rollout template it
    /// was made from (which API-server defaulting of the Deployment's copy does not change).
    public static let templateFingerprint = "cutover.dev/template-fingerprint"
    /// On every Deployment Cutover creates: the Rollout template it was made from, as canonical
    /// JSON, so `kubectl cutover undo` sets back exactly that template (a real API server adds
    /// defaults to the Deployment's own copy, which would make a new revision).
    public static let template = "cutover.dev/template"
    /// The largest template kept in ``template``: an object's annotations may hold 256 KiB in
    /// all, and the Deployment already carries the template once (etcd stores 1.5 MiB at most).
    public static let templateAnnotationLimit = 128 * 1024
}
