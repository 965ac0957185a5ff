import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Analysis inside a plan: judging new measurements, the gates that stop or revert a release, and
/// which metrics are due to be measured.
///
/// Analysis runs while green receives production traffic (the active selector is split or points at
/// green) and a release is in flight, unless a `promote-full` switched it off.
extension PlanBuilder {
    var analysisActive: Bool {
        status.greenRevision != nil && status.activeRevision != nil && !metrics.isEmpty
            && (status.traffic == .split || status.traffic == .green) && status.manualPromotion != "promote-full"
    }

    /// Judges the snapshot's measurements of the current green (others are stale and dropped),
    /// appends them to the bounded history and sets ``analysisFailure`` when a limit is crossed.
    mutating func ingestMeasurements() {
        guard analysisActive, let green = status.greenRevision else { return }
        var states = status.analysis ?? []
        for measurement in snapshot.measurements where measurement.revision == green && !alreadyRecorded(measurement) {
            guard let metric = metrics.first(where: { $0.name == measurement.metric }) else { continue }
            let at = Timestamp(Date(timeIntervalSince1970: measurement.at.timeIntervalSince1970.rounded(.down)))
            let judgement = metric.judge(measurement)
            var state = states.first(where: { $0.name == metric.name }) ?? MetricStatus(name: metric.name)
            recordedMeasurements = true
            state.history.append(
                MeasurementRecord(at: at, revision: green, value: judgement.value, baseline: judgement.baseline, verdict: judgement.verdict, message: judgement.message))
            if state.history.count > MetricStatus.historyLimit { state.history.removeFirst(state.history.count - MetricStatus.historyLimit) }
            state.lastMeasuredAt = max(state.lastMeasuredAt ?? at, at)
            var failure: AbortStatus?
            switch judgement.verdict {
            case .pass, .marginal:
                state.consecutiveErrors = 0
                state.consecutiveInconclusive = 0
                state.consecutiveBreaches = nil
                state.lastPassAt = max(state.lastPassAt ?? at, at)
            case .inconclusive:
                state.consecutiveErrors = 0
                state.consecutiveInconclusive += 1
            case .error:
                state.consecutiveInconclusive = 0
                state.consecutiveErrors += 1
                if state.consecutiveErrors >= metric.errorLimit ?? ResolvedSpec.Defaults.errorLimit {
                    state.consecutiveErrors = 0
                    if state.countBreach(against: metric) {
                        failure = AbortStatus(
                            reason: "AnalysisError", metric: metric.name,
                            message: "\(metric.name): \(metric.errorLimit ?? 0) consecutive errors, last: \(judgement.message)")
                    }
                }
            case .breach:
                state.consecutiveErrors = 0
                state.consecutiveInconclusive = 0
                if state.countBreach(against: metric) {
                    failure = AbortStatus(
                        reason: "AnalysisBreach", metric: metric.name, value: judgement.value, limit: judgement.limit,
                        message: judgement.message)
                }
            }
            if let index = states.firstIndex(where: { $0.name == metric.name }) {
                states[index] = state
            } else {
                states.append(state)
            }
            if let failure, analysisFailure == nil { analysisFailure = failure }
        }
        status.analysis = states
    }

    /// Whether the status this plan started from already records `measurement` (same metric,
    /// revision and second): one handed in again, after a status write whose outcome the
    /// controller could not know, must not count twice.
    func alreadyRecorded(_ measurement: Measurement) -> Bool {
        guard let history = oldStatus.analysis?.first(where: { $0.name == measurement.metric })?.history, !history.isEmpty else {
            return false
        }
        let second = measurement.at.timeIntervalSince1970.rounded(.down)
        return history.contains { $0.revision == measurement.revision && $0.at.date.timeIntervalSince1970.rounded(.down) == second }
    }

    /// Whether every metric's newest `consecutiveSuccessLimit` results of green are passes (or marginal), all
    /// taken after `start` (the current window). Strictly after: a measurement of the same second
    /// may have been taken before the window began (the plan that opens a window also judges the
    /// previous window's results). Without active analysis there is nothing to wait for.
    func analysisPassed(since start: Timestamp) -> Bool {
        guard analysisActive, let green = status.greenRevision else { return true }
        return metrics.allSatisfy { metric in
            let needed = Int(metric.consecutiveSuccessLimit ?? ResolvedSpec.Defaults.consecutiveSuccessLimit)
            let newest = (status.analysis?.first(where: { $0.name == metric.name })?.history ?? []).filter { $0.revision == green }.suffix(needed)
            return newest.count == needed && newest.allSatisfy { $0.verdict.passes && $0.at > start }
        }
    }

    /// Whether the release score lets the window that began at `start` go ahead: always without
    /// `analysis.score` or after a human's promote; below `marginal` the release reverts, from
    /// `marginal` to below `pass` it waits in AwaitingApproval for a promote.
    mutating func scoreAllows(since start: Timestamp) -> Bool {
        guard analysisActive, let green = status.greenRevision else { return true }
        let thresholds = rollout.spec.analysis?.score
        guard let score = ReleaseScore.of(status.analysis ?? [], metrics: metrics, green: green, since: start, thresholds: thresholds) else {
            return thresholds == nil
        }
        status.score = score
        guard let thresholds, status.manualPromotion == nil else { return true }
        switch score.result {
        case .pass?, nil:
            return true
        case .marginal?:
            awaitApproval(reason: "MarginalScore: release score \(score.value) is below pass \(thresholds.pass): \(score.message)")
            return false
        case .fail?:
            revert(
                abort: AbortStatus(
                    reason: "AnalysisScore",
                    message: "release score \(score.value) is below marginal \(thresholds.marginal ?? thresholds.pass): \(score.message)"))
            return false
        }
    }

    /// Keeps `status.score` on the current window once it has a result of every metric; until
    /// then, and after the release, it shows the last window's. Computed only when this plan
    /// recorded a result or the window moved: most plans change neither.
    mutating func updateScore() {
        guard recordedMeasurements || status.stepStartedAt != oldStatus.stepStartedAt else { return }
        guard analysisActive, let green = status.greenRevision, let start = status.stepStartedAt,
            let score = ReleaseScore.of(status.analysis ?? [], metrics: metrics, green: green, since: start, thresholds: rollout.spec.analysis?.score)
        else { return }
        status.score = score
    }

    /// Stops the release for a human when a metric had `inconclusiveLimit` inconclusive results in a row.
    mutating func inconclusiveGateTripped() -> Bool {
        guard analysisActive else { return false }
        for metric in metrics {
            let state = status.analysis?.first(where: { $0.name == metric.name })
            let limit = metric.inconclusiveLimit ?? ResolvedSpec.Defaults.inconclusiveLimit
            if let state, state.consecutiveInconclusive >= limit {
                awaitApproval(reason: "InconclusiveAnalysis: \(metric.name) had \(state.consecutiveInconclusive) inconclusive results")
                return true
            }
        }
        return false
    }

    mutating func resetInconclusive() {
        guard var states = status.analysis else { return }
        for index in states.indices { states[index].consecutiveInconclusive = 0 }
        status.analysis = states
    }

    /// Asks for every metric whose `interval` has passed since its last measurement. A metric not
    /// measured yet in this window waits one `interval` after the window opened (green's first
    /// traffic, or cutover): a `rate()` over series that have just appeared has nothing to say yet,
    /// and an early "no data" would count toward `inconclusiveLimit` for no reason.
    mutating func requestDueMeasurements() {
        guard !frozen, analysisActive, let green = status.greenRevision else { return }
        let variables = [
            "namespace": rollout.metadata.namespace ?? "", "rollout": name, "green": green,
            "blue": status.activeRevision ?? "", "service": rollout.spec.services.active,
            "interval": DurationText.format(spec.intervalSeconds),
        ]
        let address = rollout.spec.analysis?.prometheus?.address ?? ""
        for metric in metrics {
            let last = status.analysis?.first(where: { $0.name == metric.name })?.lastMeasuredAt
            if let due = (last ?? status.stepStartedAt).map({ Timestamp($0.date.addingTimeInterval(Double(spec.intervalSeconds))) }), due > now {
                wake(at: due)
                continue
            }
            if let job = metric.job {
                queries.append(
                    MetricQuery(metric: metric.name, revision: green, source: .job(makeMetricJob(metric.name, job, green: green), timeoutSeconds: job.timeoutSeconds)))
            } else if var web = metric.web {
                web.url = web.url.map { QueryTemplate.render($0, variables: variables) }
                web.body = web.body.map { QueryTemplate.render($0, variables: variables) }
                queries.append(MetricQuery(metric: metric.name, revision: green, source: .web(web)))
            } else {
                func rendered(_ query: String) -> String {
                    let query = QueryTemplate.render(query, variables: variables)
                    return metric.judge?.sampling(query) ?? query
                }
                queries.append(
                    MetricQuery(
                        metric: metric.name, revision: green, address: address, query: rendered(metric.query ?? ""),
                        baseline: metric.baseline.map(rendered), sampled: metric.judge != nil))
            }
            wake(at: later(spec.intervalSeconds))
        }
    }
}

extension PlanBuilder {
    /// The Job of one measurement of a `job` metric, named for this plan's instant, labelled and
    /// owned like the Rollout's Deployments.
    func makeMetricJob(_ metric: String, _ spec: MetricJob, green: String) -> Job {
        makeJob(
            MetricJob.jobName(rollout: name, metric: metric, at: Int64(now.date.timeIntervalSince1970)), green: green,
            label: (CutoverLabels.metric, metric), template: spec.template, backoffLimit: spec.backoffLimit, deadlineSeconds: spec.timeoutSeconds)
    }
}

extension MetricStatus {
    /// Counts a breach (one measured, or `errorLimit` errors in a row); true when it reverts the
    /// release: more than `failureLimit` in the release, and `consecutiveBreachLimit` in a row.
    mutating func countBreach(against metric: MetricSpec) -> Bool {
        breaches += 1
        let row = (consecutiveBreaches ?? 0) + 1
        consecutiveBreaches = row
        return breaches > metric.failureLimit ?? ResolvedSpec.Defaults.failureLimit
            && row >= metric.consecutiveBreachLimit ?? ResolvedSpec.Defaults.consecutiveBreachLimit
    }
}
