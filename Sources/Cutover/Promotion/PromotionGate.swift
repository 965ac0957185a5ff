import KubeModels

/// Judges whether the sources of `spec.promotion` vouch for a release: each must hold a release
/// record of the same images (or template) with outcome `Promoted`, still serving or superseded by
/// a later promoted release, that served at least `soak`. Anything else — not released, still
/// releasing, rolled back, soaking, unreadable — holds the release, and says why. Pure.
public struct PromotionGate: Sendable {
    /// The revision asking to be released, and its `container=image` pairs.
    public var revision: String
    public var images: [String]
    public var match: PromotionMatch
    public var soakSeconds: Int64
    /// The Rollout's name: the member a ReleaseGroup source is asked about.
    public var member: String

    public init(revision: String, images: [String], match: PromotionMatch, soakSeconds: Int64, member: String) {
        self.revision = revision
        self.images = images
        self.match = match
        self.soakSeconds = soakSeconds
        self.member = member
    }

    /// The judgment of every source; allowed when all of them vouch.
    public func judge(_ evidence: PromotionEvidence, now: Timestamp) -> PromotionStatus {
        let sources = evidence.sources.map { judge($0, now: now) }
        let waiting = sources.filter { !$0.verified }
        guard let first = waiting.first else {
            let places = sources.map(\.source).joined(separator: ", ")
            return PromotionStatus(
                revision: revision, allowed: true, reason: "Verified", message: "verified in \(places)", checkedAt: now, sources: sources)
        }
        // A source that rolled the version back is the answer that will not change by waiting.
        let reason = waiting.contains { $0.reason == "RolledBack" } ? "RolledBack" : first.reason
        return PromotionStatus(
            revision: revision, allowed: false, reason: reason,
            message: waiting.map { "\($0.source) \($0.message)" }.joined(separator: "; "), checkedAt: now, sources: sources)
    }

    func judge(_ evidence: SourceEvidence, now: Timestamp) -> PromotionSourceStatus {
        let name = evidence.source.description
        switch evidence.found {
        case .notFound:
            return PromotionSourceStatus(source: name, verified: false, reason: "SourceNotFound", message: "does not exist")
        case .unreachable(let problem):
            return PromotionSourceStatus(source: name, verified: false, reason: "SourceUnreachable", message: "is unreachable: \(problem)")
        case .rollout(let releases):
            return judge(releases, source: name, now: now)
        case .group(let group, let memberReleases):
            guard let memberReleases else {
                return PromotionSourceStatus(source: name, verified: false, reason: "NotReleased", message: "has no member \(member)")
            }
            let (judged, servedUntil) = judgeServing(memberReleases, source: name, now: now)
            guard judged.verified, let revision = judged.revision else { return judged }
            return judgeGroup(group, memberRevision: revision, memberJudgment: judged, servedUntil: servedUntil ?? now, source: name, now: now)
        }
    }

    /// A Rollout's releases (or a group member's): the newest matching release decides.
    func judge(_ releases: SourceReleases, source: String, now: Timestamp) -> PromotionSourceStatus {
        judgeServing(releases, source: source, now: now).status
    }

    /// ``judge(_:source:now:)``, and until when the matching promoted release served (now while it
    /// still serves; the next promoted release's end once superseded).
    func judgeServing(_ releases: SourceReleases, source: String, now: Timestamp) -> (status: PromotionSourceStatus, servedUntil: Timestamp?) {
        let history = releases.history
        guard let index = history.lastIndex(where: { matches($0) && $0.outcome != .superseded }) else {
            return (PromotionSourceStatus(source: source, verified: false, reason: "NotReleased", message: "has not released \(missing(from: releases))"), nil)
        }
        let record = history[index]
        func status(_ verified: Bool, _ reason: String, _ message: String, soakedAt: Timestamp? = nil) -> PromotionSourceStatus {
            PromotionSourceStatus(
                source: source, verified: verified, reason: reason, message: message, revision: record.revision,
                completedAt: record.endedAt, soakedAt: soakedAt)
        }
        if let unfinished = unfinished(record, source: source, revision: record.revision) { return (unfinished, nil) }
        let completed = record.endedAt ?? record.startedAt
        let next = history[(index + 1)...].first { $0.outcome == .promoted }
        let serving = releases.serving == record.revision
        guard serving || next != nil else {
            return (status(false, "NoLongerServing", "no longer serves \(wanted) (it serves \(releases.serving ?? "nothing"))"), nil)
        }
        let until = serving ? now : (next?.endedAt ?? now)
        let soaked = Int64(until.date.timeIntervalSince(completed.date))
        if soaked >= soakSeconds {
            return (status(true, "Verified", "released \(wanted) at \(completed)"), until)
        }
        let soakedText = soakText(soaked)
        guard serving else {
            return (status(false, "NotSoaked", "served \(wanted) only \(soakedText) before releasing \(next?.revision ?? "another revision")"), until)
        }
        return (status(false, "Soaking", "soaked \(soakedText)", soakedAt: soakEnd(completed)), until)
    }

    /// A group source: the member's release of `memberRevision` must also have been a group
    /// release that completed, and have served from the group's completion for the soak.
    func judgeGroup(
        _ group: SourceReleases, memberRevision: String, memberJudgment: PromotionSourceStatus, servedUntil: Timestamp, source: String,
        now: Timestamp
    ) -> PromotionSourceStatus {
        let pair = "\(member)=\(memberRevision)"
        guard let record = group.history.last(where: { $0.images.contains(pair) && $0.outcome != .superseded }) else {
            return PromotionSourceStatus(
                source: source, verified: false, reason: "NotReleased", message: "has not released \(wanted) in a group release",
                revision: memberRevision)
        }
        if let unfinished = unfinished(record, source: source, revision: memberRevision) { return unfinished }
        var judged = memberJudgment
        let completed = max(record.endedAt ?? record.startedAt, memberJudgment.completedAt ?? record.startedAt)
        let soaked = Int64(servedUntil.date.timeIntervalSince(completed.date))
        judged.completedAt = completed
        if soaked < soakSeconds {
            let soakedText = soakText(soaked)
            judged.verified = false
            if servedUntil < now {
                judged.reason = "NotSoaked"
                judged.message = "served \(wanted) only \(soakedText) after its group release completed"
            } else {
                judged.reason = "Soaking"
                judged.message = "soaked \(soakedText)"
                judged.soakedAt = soakEnd(completed)
            }
        }
        return judged
    }

    /// The verdict on a matching release that did not complete (still running, or rolled back);
    /// nil for a promoted one. `revision` is the source revision it names.
    func unfinished(_ record: ReleaseRecord, source: String, revision: String) -> PromotionSourceStatus? {
        switch record.outcome {
        case nil, .superseded:
            PromotionSourceStatus(source: source, verified: false, reason: "Releasing", message: "is still releasing \(wanted)", revision: revision)
        case .rolledBack:
            PromotionSourceStatus(
                source: source, verified: false, reason: "RolledBack",
                message: "rolled back \(wanted): \(record.message ?? record.reason ?? "no reason recorded")", revision: revision)
        case .promoted:
            nil
        }
    }

    /// `12m of 30m`.
    func soakText(_ soaked: Int64) -> String { "\(DurationText.format(max(0, soaked))) of \(DurationText.format(soakSeconds))" }

    /// When a release completed at `completed` has soaked.
    func soakEnd(_ completed: Timestamp) -> Timestamp { Timestamp(completed.date.addingTimeInterval(Double(soakSeconds))) }

    func matches(_ record: ReleaseRecord) -> Bool {
        switch match {
        case .template: record.revision == revision
        case .images: Set(record.images) == Set(images)
        }
    }

    /// What is asked for, as a person reads it: the images (without container names), or the revision.
    var wanted: String {
        switch match {
        case .template: "revision \(revision)"
        case .images: Self.imageList(images)
        }
    }

    /// What the source has not released: the images its serving release lacks (all when it serves
    /// nothing this gate knows of), or the revision.
    func missing(from releases: SourceReleases) -> String {
        guard match == .images, let serving = releases.history.last(where: { $0.revision == releases.serving && $0.outcome == .promoted })
        else { return wanted }
        let lacking = images.filter { !serving.images.contains($0) }
        return Self.imageList(lacking.isEmpty ? images : lacking)
    }

    /// `a=img:1, b=img:2` → `img:1, img:2`.
    static func imageList(_ pairs: [String]) -> String {
        pairs.map { pair in pair.firstIndex(of: "=").map { String(pair[pair.index(after: $0)...]) } ?? pair }.joined(separator: ", ")
    }
}
