import KubeModels

/// One problem with a spec: the field path (`spec.strategy.canary.steps[1].weight`) and what to do.
public struct ValidationError: Sendable, Hashable, CustomStringConvertible {
    /// The field path, `spec.…`.
    public var field: String
    /// What is wrong and what is expected.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`, as shown in the `InvalidSpec` condition.
    public var description: String { "\(field): \(message)" }
}

extension Rollout {
    /// The longest Rollout name: `<name>-<10-character revision>` must stay a DNS label, and the
    /// name is also a label value (`cutover.dev/rollout`).
    public static let maxNameLength = 63 - 1 - TemplateHash.length

    /// Every problem with this Rollout: its name, then ``RolloutSpec/validate()``.
    public func validate() -> [ValidationError] {
        if let undecodableSpec {
            return [ValidationError(field: undecodableSpec.field, message: "does not fit the Rollout schema: \(undecodableSpec.message)")]
        }
        var errors: [ValidationError] = []
        let name = metadata.name ?? ""
        if name.utf8.count > Self.maxNameLength {
            errors.append(ValidationError(field: "metadata.name", message: "must be at most \(Self.maxNameLength) characters, so that <name>-<revision> names a Deployment"))
        }
        for (index, source) in (spec.promotion?.from ?? []).enumerated()
        where source.kubeconfigSecret == nil && source.namespace == metadata.namespace && source.rollout == name {
            errors.append(ValidationError(field: "spec.promotion.from[\(index)]", message: "names this Rollout itself; name the environment it must have passed"))
        }
        return errors + spec.validate()
    }
}

extension RolloutSpec {
    /// Every problem with this spec, in field order; empty when the spec is valid. Checks what the
    /// CRD schema cannot express (cross-field rules) and repeats what it can, so a Rollout that
    /// reached the controller without schema validation is judged the same.
    public func validate() -> [ValidationError] {
        var errors: [ValidationError] = []
        func fail(_ field: String, _ message: String) { errors.append(ValidationError(field: field, message: message)) }

        if let replicas, replicas < 0 { fail("spec.replicas", "must be 0 or more, not \(replicas)") }
        validateSelectorAndTemplate(fail)
        if let minReadySeconds, minReadySeconds < 0 { fail("spec.minReadySeconds", "must be 0 or more") }
        if let progressDeadlineSeconds, progressDeadlineSeconds < 1 {
            fail("spec.progressDeadlineSeconds", "must be at least 1")
        }
        if let revisionHistoryLimit, revisionHistoryLimit < 0 { fail("spec.revisionHistoryLimit", "must be 0 or more") }
        if !Self.isDNSLabel(services.active) {
            fail("spec.services.active", "must be the name of a Service (a DNS-1035 label), not \"\(services.active)\"")
        }
        if let preview = services.preview {
            if !Self.isDNSLabel(preview) {
                fail("spec.services.preview", "must be the name of a Service (a DNS-1035 label), not \"\(preview)\"")
            } else if preview == services.active {
                fail("spec.services.preview", "must differ from spec.services.active")
            }
        }
        validateStrategy(fail)
        validateAnalysis(fail)
        validateRollbackWindow(fail)
        validateIntegrations(fail)
        promotion?.validate(at: "spec.promotion", fail)
        return errors
    }

    private func validateSelectorAndTemplate(_ fail: (String, String) -> Void) {
        let labels = template.metadata?.labels ?? [:]
        let matchLabels = selector.matchLabels ?? [:]
        if matchLabels.isEmpty { fail("spec.selector.matchLabels", "must name at least one label of the template") }
        for key in matchLabels.keys.sorted() {
            let value = matchLabels[key]!
            if key.hasPrefix("cutover.dev/") {
                fail("spec.selector.matchLabels.\(key)", "cutover.dev/ labels are reserved for Cutover")
            } else if labels[key] != value {
                fail("spec.selector.matchLabels.\(key)", "must also be a label of spec.template.metadata.labels (\(key)=\(value))")
            }
        }
        if !(selector.matchExpressions ?? []).isEmpty, !LabelSelector(matchExpressions: selector.matchExpressions).matches(labels) {
            fail("spec.selector.matchExpressions", "must select the template's labels")
        }
        for key in labels.keys.sorted() where key == CutoverLabels.rollout || key == CutoverLabels.revision {
            fail("spec.template.metadata.labels.\(key)", "is set by Cutover; remove it")
        }
        if (template.spec?["containers"]?.arrayValue ?? []).isEmpty {
            fail("spec.template.spec.containers", "must list at least one container")
        }
    }

    private func validateStrategy(_ fail: (String, String) -> Void) {
        if let approval = strategy?.approval, approval != "Automatic", approval != "Manual" {
            fail("spec.strategy.approval", "must be Automatic or Manual, not \"\(approval)\"")
        }
        if let hold = strategy?.holdWindow, DurationText.seconds(hold) == nil {
            fail("spec.strategy.holdWindow", "must be a duration like 30s, 5m or 1h30m, not \"\(hold)\"")
        }
        if let canary = strategy?.canary {
            if canary.steps.isEmpty { fail("spec.strategy.canary.steps", "must have at least one step") }
            var previous: Int32 = 0
            for (index, step) in canary.steps.enumerated() {
                let path = "spec.strategy.canary.steps[\(index)]"
                if !(1...99).contains(step.weight) {
                    fail("\(path).weight", "must be between 1 and 99, not \(step.weight)")
                } else if step.weight <= previous {
                    fail("\(path).weight", "must be greater than the previous step's weight \(previous)")
                }
                previous = Swift.max(previous, step.weight)
                if let pause = step.pause, DurationText.seconds(pause) == nil {
                    fail("\(path).pause", "must be a duration like 30s, 5m or 1h30m, not \"\(pause)\"")
                }
            }
        }
        let hasMetrics = !(analysis?.metrics ?? []).isEmpty
        let hasSteps = !(strategy?.canary?.steps ?? []).isEmpty
        let hold = strategy?.holdWindow.flatMap(DurationText.seconds) ?? 0
        if hasMetrics, !hasSteps, hold == 0, DurationText.seconds(strategy?.holdWindow ?? "0") != nil {
            fail(
                "spec.strategy.holdWindow",
                "must be more than 0 when analysis metrics are set without canary steps, or green would be promoted without a single measurement")
        }
    }

    private func validateRollbackWindow(_ fail: (String, String) -> Void) {
        guard let window = rollbackWindow else { return }
        let kept = releaseHistoryLimit ?? ResolvedSpec.Defaults.releaseHistoryLimit
        if !(1...max(1, kept)).contains(window.revisions) {
            fail("spec.rollbackWindow.revisions", "must be between 1 and releaseHistoryLimit (\(kept)): only the releases kept in status are known")
        }
        for (field, value) in [("steps", window.steps), ("analysis", window.analysis)] {
            if let value, value != "Skip", value != "Run" { fail("spec.rollbackWindow.\(field)", "must be Skip or Run, not \"\(value)\"") }
        }
    }

    private func validateAnalysis(_ fail: (String, String) -> Void) {
        guard let analysis else { return }
        if let interval = analysis.interval {
            if let seconds = DurationText.seconds(interval) {
                if seconds < 1 { fail("spec.analysis.interval", "must be at least 1s") }
            } else {
                fail("spec.analysis.interval", "must be a duration like 30s, 5m or 1h30m, not \"\(interval)\"")
            }
        }
        let metrics = analysis.metrics ?? []
        if metrics.contains(where: { $0.query != nil }) {
            let address = analysis.prometheus?.address ?? ""
            if address.isEmpty {
                fail("spec.analysis.prometheus.address", "is required when metrics are set")
            } else if !address.hasPrefix("http://"), !address.hasPrefix("https://") {
                fail("spec.analysis.prometheus.address", "must start with http:// or https://, not \"\(address)\"")
            }
        }
        analysis.prometheus?.validateConnection(at: "spec.analysis.prometheus", fail)
        if let score = analysis.score {
            if !(0...100).contains(score.pass) { fail("spec.analysis.score.pass", "must be between 0 and 100") }
            if let marginal = score.marginal, !(0...score.pass).contains(marginal) {
                fail("spec.analysis.score.marginal", "must be between 0 and pass (\(score.pass))")
            }
        }
        var seen: Set<String> = []
        for (index, metric) in metrics.enumerated() {
            let path = "spec.analysis.metrics[\(index)]"
            if !Self.isDNSLabel(metric.name) {
                fail("\(path).name", "must be lower-case letters, digits and '-', starting with a letter, not \"\(metric.name)\"")
            } else if !seen.insert(metric.name).inserted {
                fail("\(path).name", "\"\(metric.name)\" is used by an earlier metric")
            }
            switch [metric.query != nil, metric.web != nil, metric.job != nil].count(where: { $0 }) {
            case 0: fail(path, "must set query (PromQL), web or job")
            case 1: break
            default: fail(path, "must set only one of query, web and job: a metric has one source")
            }
            if let query = metric.query { Self.validateQuery(query, at: "\(path).query", fail) }
            if let web = metric.web { validateWeb(web, of: metric, at: path, fail) }
            if let job = metric.job {
                validateMetricJob(job, of: metric, at: path, fail)
                continue
            }
            if let baseline = metric.baseline { Self.validateQuery(baseline, at: "\(path).baseline", fail) }
            validateThresholds(metric, at: path, fail)
        }
    }

    private func validateThresholds(_ metric: MetricSpec, at path: String, _ fail: (String, String) -> Void) {
        let relative = metric.maxIncrease != nil || metric.maxDecrease != nil
        if metric.max == nil, metric.min == nil, !relative, metric.judge == nil {
            fail(path, "must set at least one of max, min, maxIncrease, maxDecrease or judge")
        }
        if let max = metric.max, let min = metric.min, min > max {
            fail("\(path).min", "must not be greater than max (\(NumberText.short(min)) > \(NumberText.short(max)))")
        }
        for (name, value) in [("max", metric.max), ("min", metric.min), ("maxIncrease", metric.maxIncrease), ("maxDecrease", metric.maxDecrease)] {
            if let value, !value.isFinite { fail("\(path).\(name)", "must be a finite number") }
        }
        if relative, metric.baseline == nil {
            fail(path + (metric.maxIncrease != nil ? ".maxIncrease" : ".maxDecrease"), "needs a baseline query to compare against")
        }
        if metric.baseline != nil, !relative, metric.judge == nil, metric.web == nil {
            fail("\(path).baseline", "is only used with maxIncrease, maxDecrease or judge; set one or remove the baseline")
        }
        if let increase = metric.maxIncrease, increase < 0 { fail("\(path).maxIncrease", "must be 0 or more") }
        if let decrease = metric.maxDecrease, !(0...1).contains(decrease) {
            fail("\(path).maxDecrease", "must be between 0 and 1")
        }
        if let noData = metric.noData, NoDataPolicy(rawValue: noData) == nil {
            fail("\(path).noData", "must be Inconclusive, Fail or Pass, not \"\(noData)\"")
        }
        if let limit = metric.failureLimit, limit < 0 { fail("\(path).failureLimit", "must be 0 or more") }
        if let limit = metric.inconclusiveLimit, limit < 1 { fail("\(path).inconclusiveLimit", "must be at least 1") }
        if let limit = metric.errorLimit, limit < 1 { fail("\(path).errorLimit", "must be at least 1") }
        if let limit = metric.consecutiveBreachLimit, limit < 1 { fail("\(path).consecutiveBreachLimit", "must be at least 1") }
        if let limit = metric.consecutiveSuccessLimit, !(1...Int32(MetricStatus.historyLimit)).contains(limit) {
            fail("\(path).consecutiveSuccessLimit", "must be between 1 and \(MetricStatus.historyLimit) (the measurements kept in status)")
        }
        if let judge = metric.judge { validateJudge(judge, of: metric, at: path, fail) }
    }

    private func validateMetricJob(_ job: MetricJob, of metric: MetricSpec, at metricPath: String, _ fail: (String, String) -> Void) {
        Self.validateJobTemplate(job.template, backoffLimit: job.backoffLimit, at: "\(metricPath).job", fail)
        Self.validateTimeout(job.timeout, at: "\(metricPath).job.timeout", longest: 3600, fail)
        let judged: [(String, Bool)] = [
            ("max", metric.max != nil), ("min", metric.min != nil), ("maxIncrease", metric.maxIncrease != nil),
            ("maxDecrease", metric.maxDecrease != nil), ("baseline", metric.baseline != nil), ("judge", metric.judge != nil),
        ]
        for (field, set) in judged where set {
            fail("\(metricPath).\(field)", "does not apply to a job metric: it passes when its Job completes and breaches when it fails")
        }
        if metric.noData != nil, metric.noData != NoDataPolicy.inconclusive.rawValue {
            fail("\(metricPath).noData", "does not apply to a job metric: a Job always says pass or fail")
        }
    }

    private func validateWeb(_ web: WebMetric, of metric: MetricSpec, at metricPath: String, _ fail: (String, String) -> Void) {
        let path = metricPath + ".web"
        switch (web.url, web.urlSecret) {
        case (let url?, nil):
            if !url.hasPrefix("http://"), !url.hasPrefix("https://") {
                fail("\(path).url", "must start with http:// or https://, not \"\(url)\"")
            } else {
                Self.validateQuery(url, at: "\(path).url", fail)
            }
        case (nil, let secret?):
            if secret.name.isEmpty { fail("\(path).urlSecret.name", "is required") }
            if secret.key.isEmpty { fail("\(path).urlSecret.key", "is required") }
        case (nil, nil): fail(path, "must set url or urlSecret")
        case (_?, _?): fail("\(path).urlSecret", "cannot be set together with url; choose one")
        }
        let method = web.method ?? "GET"
        if method != "GET", method != "POST" { fail("\(path).method", "must be GET or POST, not \"\(method)\"") }
        if let body = web.body {
            if method != "POST" { fail("\(path).body", "is only sent with method POST") } else { Self.validateQuery(body, at: "\(path).body", fail) }
        }
        if let timeout = web.timeout {
            if let seconds = DurationText.seconds(timeout) {
                if !(1...300).contains(seconds) { fail("\(path).timeout", "must be between 1s and 5m") }
            } else {
                fail("\(path).timeout", "must be a duration like 10s or 1m, not \"\(timeout)\"")
            }
        }
        HTTPHeaderSpec.validate(web.headers ?? [], at: "\(path).headers", credentialsFrom: "headersSecret", fail)
        if let secret = web.headersSecret, secret.name.isEmpty { fail("\(path).headersSecret.name", "is required") }
        if web.jsonPath.isEmpty {
            fail("\(path).jsonPath", "is required: where the number is in the answer, like {.data.value}")
        } else if let problem = JSONPath(web.jsonPath).problem {
            fail("\(path).jsonPath", "\(problem), not \"\(web.jsonPath)\"")
        }
        for (field, set) in [("baseline", metric.baseline != nil), ("maxIncrease", metric.maxIncrease != nil), ("maxDecrease", metric.maxDecrease != nil), ("judge", metric.judge != nil)] where set {
            fail("\(metricPath).\(field)", "needs a Prometheus query; a web metric has no baseline")
        }
    }

    private func validateJudge(_ judge: JudgeSpec, of metric: MetricSpec, at metricPath: String, _ fail: (String, String) -> Void) {
        typealias D = JudgeSpec.Defaults
        let path = metricPath + ".judge"
        if JudgeType(rawValue: judge.type) == nil { fail("\(path).type", "must be MannWhitney, not \"\(judge.type)\"") }
        if metric.baseline == nil { fail(path, "needs a baseline query: the judge compares green's samples with blue's") }
        if metric.noData == NoDataPolicy.pass.rawValue {
            fail("\(metricPath).noData", "must not be Pass with a judge: a judged metric never passes without samples")
        }
        let window = judge.window.map { DurationText.seconds($0) } ?? DurationText.seconds(D.window)
        let step = judge.step.map { DurationText.seconds($0) } ?? DurationText.seconds(D.step)
        if window == nil { fail("\(path).window", "must be a duration like 5m or 1h, not \"\(judge.window ?? "")\"") }
        if step == nil { fail("\(path).step", "must be a duration like 15s or 1m, not \"\(judge.step ?? "")\"") }
        if let step, step < 1 { fail("\(path).step", "must be at least 1s") }
        if let regression = judge.regression, Regression(rawValue: regression) == nil {
            fail("\(path).regression", "must be Increase, Decrease or Either, not \"\(regression)\"")
        }
        if let confidence = judge.confidence, !(confidence > 0 && confidence < 1) {
            fail("\(path).confidence", "must be between 0 and 1 (0.95: a p-value below 0.05 is significant)")
        }
        let minSamples = judge.minSamples ?? D.minSamples
        if minSamples < 1 { fail("\(path).minSamples", "must be at least 1") }
        if let effect = judge.minEffect, !(effect >= 0 && effect.isFinite) { fail("\(path).minEffect", "must be 0 or more") }
        if let window, let step, step >= 1 {
            let samples = window / step
            if samples > JudgeSpec.maxSamples {
                fail("\(path).window", "gives \(samples) samples at step \(DurationText.format(step)); at most \(JudgeSpec.maxSamples)")
            } else if samples < Int64(minSamples) {
                fail("\(path).window", "gives at most \(samples) samples at step \(DurationText.format(step)), fewer than minSamples \(minSamples)")
            }
        }
    }

    static func validateQuery(_ query: String, at path: String, _ fail: (String, String) -> Void) {
        if query.utf8.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") }) {
            return fail(path, "must not be empty")
        }
        guard let names = QueryTemplate.variables(in: query) else { return fail(path, "has a {{ without a closing }}") }
        for name in names where !QueryTemplate.knownVariables.contains(name) {
            fail(path, "unknown variable {{\(name)}}; known: \(QueryTemplate.knownVariables.sorted().joined(separator: ", "))")
        }
    }

    /// A DNS-1035 label: lower-case alphanumerics and '-', starting with a letter, ending
    /// alphanumeric, at most 63 characters.
    static func isDNSLabel(_ text: String) -> Bool {
        text.utf8.count <= 63 && DNSName.isRFC1035Label(text)
    }
}
