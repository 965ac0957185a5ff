import KubeModels
import Testing

@testable import Cutover

/// One invalid edit of a valid spec and the exact error it must produce.
struct InvalidSpecCase: Sendable, CustomTestStringConvertible {
    let name: String
    let edit: @Sendable (inout RolloutSpec) -> Void
    let field: String
    let message: String
    var testDescription: String { name }
}

/// Makes the first metric a web metric, then edits its `web`.
func webMetric(_ spec: inout RolloutSpec, _ edit: (inout WebMetric) -> Void) {
    var web = WebMetric(url: "http://checks.example.com/score?revision={{green}}", jsonPath: "{.score}")
    edit(&web)
    spec.analysis?.metrics?[0].query = nil
    spec.analysis?.metrics?[0].web = web
}

/// Gives the first metric a baseline and a judge, then edits the judge.
func judged(_ spec: inout RolloutSpec, _ edit: (inout JudgeSpec) -> Void) {
    var judge = JudgeSpec()
    edit(&judge)
    spec.analysis?.metrics?[0].baseline = "x{{blue}}"
    spec.analysis?.metrics?[0].judge = judge
}

@Suite("RolloutSpec validation")
struct RolloutSpecValidationTests {
    static let valid = Fixture.spec(steps: [CanaryStep(weight: 20, pause: "2m"), CanaryStep(weight: 50, pause: "5m")], holdWindow: "10m", metrics: [Fixture.metric()])

    @Test func aValidSpecHasNoErrors() {
        #expect(Self.valid.validate() == [])
        // Web metrics alone need no Prometheus.
        var web = Self.valid
        webMetric(&web) { $0.method = "POST"; $0.body = #"{"revision": "{{green}}"}"#; $0.jsonPath = "$" }
        web.analysis?.prometheus = nil
        #expect(web.validate() == [])
        // And job metrics.
        var job = Self.valid
        job.analysis?.metrics = [MetricSpec(name: "smoke", job: MetricJob(template: PlannerJobGateTests.migration.template, timeout: "2m"))]
        job.analysis?.prometheus = nil
        #expect(job.validate() == [])
        #expect(Fixture.spec().validate() == [])
    }

    static let cases: [InvalidSpecCase] = [
        .init(name: "negative replicas", edit: { $0.replicas = -1 }, field: "spec.replicas", message: "must be 0 or more, not -1"),
        .init(name: "empty selector", edit: { $0.selector = LabelSelector() }, field: "spec.selector.matchLabels", message: "must name at least one label of the template"),
        .init(name: "selector key not on template", edit: { $0.selector.matchLabels = ["app": "payment", "tier": "web"] },
              field: "spec.selector.matchLabels.tier", message: "must also be a label of spec.template.metadata.labels (tier=web)"),
        .init(name: "selector value differs", edit: { $0.selector.matchLabels = ["app": "other"] },
              field: "spec.selector.matchLabels.app", message: "must also be a label of spec.template.metadata.labels (app=other)"),
        .init(name: "reserved selector key", edit: { $0.selector.matchLabels?[CutoverLabels.revision] = "x" },
              field: "spec.selector.matchLabels.cutover.dev/revision", message: "cutover.dev/ labels are reserved for Cutover"),
        .init(name: "expressions do not match", edit: { $0.selector.matchExpressions = [LabelSelectorRequirement(key: "tier", operator: "Exists")] },
              field: "spec.selector.matchExpressions", message: "must select the template's labels"),
        .init(name: "reserved template label", edit: { $0.template.metadata?.labels?[CutoverLabels.rollout] = "x" },
              field: "spec.template.metadata.labels.cutover.dev/rollout", message: "is set by Cutover; remove it"),
        .init(name: "no containers", edit: { $0.template.spec = ["containers": []] },
              field: "spec.template.spec.containers", message: "must list at least one container"),
        .init(name: "negative minReadySeconds", edit: { $0.minReadySeconds = -5 }, field: "spec.minReadySeconds", message: "must be 0 or more"),
        .init(name: "zero deadline", edit: { $0.progressDeadlineSeconds = 0 }, field: "spec.progressDeadlineSeconds", message: "must be at least 1"),
        .init(name: "negative history", edit: { $0.revisionHistoryLimit = -1 }, field: "spec.revisionHistoryLimit", message: "must be 0 or more"),
        .init(name: "bad active service", edit: { $0.services.active = "Payment_Svc" },
              field: "spec.services.active", message: "must be the name of a Service (a DNS-1035 label), not \"Payment_Svc\""),
        .init(name: "bad preview service", edit: { $0.services.preview = "-x" },
              field: "spec.services.preview", message: "must be the name of a Service (a DNS-1035 label), not \"-x\""),
        .init(name: "preview equals active", edit: { $0.services.preview = "payment" }, field: "spec.services.preview", message: "must differ from spec.services.active"),
        .init(name: "bad approval", edit: { $0.strategy?.approval = "Sometimes" }, field: "spec.strategy.approval", message: "must be Automatic or Manual, not \"Sometimes\""),
        .init(name: "bad hold window", edit: { $0.strategy?.holdWindow = "10 minutes" },
              field: "spec.strategy.holdWindow", message: "must be a duration like 30s, 5m or 1h30m, not \"10 minutes\""),
        .init(name: "no steps", edit: { $0.strategy?.canary?.steps = [] }, field: "spec.strategy.canary.steps", message: "must have at least one step"),
        .init(name: "weight 0", edit: { $0.strategy?.canary?.steps[0].weight = 0 }, field: "spec.strategy.canary.steps[0].weight", message: "must be between 1 and 99, not 0"),
        .init(name: "weight 100", edit: { $0.strategy?.canary?.steps[1].weight = 100 }, field: "spec.strategy.canary.steps[1].weight", message: "must be between 1 and 99, not 100"),
        .init(name: "weights not increasing", edit: { $0.strategy?.canary?.steps[1].weight = 20 },
              field: "spec.strategy.canary.steps[1].weight", message: "must be greater than the previous step's weight 20"),
        .init(name: "bad pause", edit: { $0.strategy?.canary?.steps[1].pause = "1.5m" },
              field: "spec.strategy.canary.steps[1].pause", message: "must be a duration like 30s, 5m or 1h30m, not \"1.5m\""),
        .init(name: "metrics without steps or hold", edit: { $0.strategy = RolloutStrategy(holdWindow: "0s") }, field: "spec.strategy.holdWindow",
              message: "must be more than 0 when analysis metrics are set without canary steps, or green would be promoted without a single measurement"),
        .init(name: "bad interval", edit: { $0.analysis?.interval = "often" }, field: "spec.analysis.interval", message: "must be a duration like 30s, 5m or 1h30m, not \"often\""),
        .init(name: "zero interval", edit: { $0.analysis?.interval = "0s" }, field: "spec.analysis.interval", message: "must be at least 1s"),
        .init(name: "missing prometheus", edit: { $0.analysis?.prometheus = nil }, field: "spec.analysis.prometheus.address", message: "is required when metrics are set"),
        .init(name: "bad prometheus address", edit: { $0.analysis?.prometheus = PrometheusSource(address: "prometheus:9090") },
              field: "spec.analysis.prometheus.address", message: "must start with http:// or https://, not \"prometheus:9090\""),
        .init(name: "bad metric name", edit: { $0.analysis?.metrics?[0].name = "Error Rate" }, field: "spec.analysis.metrics[0].name",
              message: "must be lower-case letters, digits and '-', starting with a letter, not \"Error Rate\""),
        .init(name: "duplicate metric", edit: { $0.analysis?.metrics?.append(Fixture.metric()) }, field: "spec.analysis.metrics[1].name",
              message: "\"error-rate\" is used by an earlier metric"),
        .init(name: "empty query", edit: { $0.analysis?.metrics?[0].query = "  " }, field: "spec.analysis.metrics[0].query", message: "must not be empty"),
        .init(name: "unknown variable", edit: { $0.analysis?.metrics?[0].query = "up{pod=\"{{ pod }}\"}" }, field: "spec.analysis.metrics[0].query",
              message: "unknown variable {{pod}}; known: blue, green, interval, namespace, rollout, service"),
        .init(name: "unclosed braces", edit: { $0.analysis?.metrics?[0].query = "up{{green" }, field: "spec.analysis.metrics[0].query", message: "has a {{ without a closing }}"),
        .init(name: "unknown variable in baseline", edit: { $0.analysis?.metrics?[0].baseline = "x{{old}}"; $0.analysis?.metrics?[0].maxIncrease = 0.1 },
              field: "spec.analysis.metrics[0].baseline", message: "unknown variable {{old}}; known: blue, green, interval, namespace, rollout, service"),
        .init(name: "no threshold", edit: { $0.analysis?.metrics?[0].max = nil }, field: "spec.analysis.metrics[0]", message: "must set at least one of max, min, maxIncrease, maxDecrease or judge"),
        .init(name: "min above max", edit: { $0.analysis?.metrics?[0].min = 0.5 }, field: "spec.analysis.metrics[0].min", message: "must not be greater than max (0.5 > 0.01)"),
        .init(name: "infinite max", edit: { $0.analysis?.metrics?[0].max = .infinity }, field: "spec.analysis.metrics[0].max", message: "must be a finite number"),
        .init(name: "maxIncrease without baseline", edit: { $0.analysis?.metrics?[0].maxIncrease = 0.25 },
              field: "spec.analysis.metrics[0].maxIncrease", message: "needs a baseline query to compare against"),
        .init(name: "baseline without relative limit", edit: { $0.analysis?.metrics?[0].baseline = "x{{blue}}" },
              field: "spec.analysis.metrics[0].baseline", message: "is only used with maxIncrease, maxDecrease or judge; set one or remove the baseline"),
        .init(name: "negative maxIncrease", edit: { $0.analysis?.metrics?[0].baseline = "x"; $0.analysis?.metrics?[0].maxIncrease = -1 },
              field: "spec.analysis.metrics[0].maxIncrease", message: "must be 0 or more"),
        .init(name: "maxDecrease above 1", edit: { $0.analysis?.metrics?[0].baseline = "x"; $0.analysis?.metrics?[0].maxDecrease = 2 },
              field: "spec.analysis.metrics[0].maxDecrease", message: "must be between 0 and 1"),
        .init(name: "bad noData", edit: { $0.analysis?.metrics?[0].noData = "Ignore" }, field: "spec.analysis.metrics[0].noData",
              message: "must be Inconclusive, Fail or Pass, not \"Ignore\""),
        .init(name: "negative failureLimit", edit: { $0.analysis?.metrics?[0].failureLimit = -1 }, field: "spec.analysis.metrics[0].failureLimit", message: "must be 0 or more"),
        .init(name: "zero inconclusiveLimit", edit: { $0.analysis?.metrics?[0].inconclusiveLimit = 0 }, field: "spec.analysis.metrics[0].inconclusiveLimit", message: "must be at least 1"),
        .init(name: "zero errorLimit", edit: { $0.analysis?.metrics?[0].errorLimit = 0 }, field: "spec.analysis.metrics[0].errorLimit", message: "must be at least 1"),
        .init(
            name: "zero consecutiveBreachLimit", edit: { $0.analysis?.metrics?[0].consecutiveBreachLimit = 0 },
            field: "spec.analysis.metrics[0].consecutiveBreachLimit", message: "must be at least 1"),
        .init(
            name: "consecutiveSuccessLimit beyond the kept measurements", edit: { $0.analysis?.metrics?[0].consecutiveSuccessLimit = 11 },
            field: "spec.analysis.metrics[0].consecutiveSuccessLimit", message: "must be between 1 and 10 (the measurements kept in status)"),
        .init(name: "judge without baseline", edit: { $0.analysis?.metrics?[0].judge = JudgeSpec() },
              field: "spec.analysis.metrics[0].judge", message: "needs a baseline query: the judge compares green's samples with blue's"),
        .init(name: "unknown judge", edit: { judged(&$0) { $0.type = "TTest" } },
              field: "spec.analysis.metrics[0].judge.type", message: "must be MannWhitney, not \"TTest\""),
        .init(name: "judge with noData Pass", edit: { judged(&$0) { _ in }; $0.analysis?.metrics?[0].noData = "Pass" },
              field: "spec.analysis.metrics[0].noData", message: "must not be Pass with a judge: a judged metric never passes without samples"),
        .init(name: "judge window not a duration", edit: { judged(&$0) { $0.window = "five minutes" } },
              field: "spec.analysis.metrics[0].judge.window", message: "must be a duration like 5m or 1h, not \"five minutes\""),
        .init(name: "judge step of 0", edit: { judged(&$0) { $0.step = "0" } },
              field: "spec.analysis.metrics[0].judge.step", message: "must be at least 1s"),
        .init(name: "judge regression unknown", edit: { judged(&$0) { $0.regression = "Up" } },
              field: "spec.analysis.metrics[0].judge.regression", message: "must be Increase, Decrease or Either, not \"Up\""),
        .init(name: "judge confidence of 1", edit: { judged(&$0) { $0.confidence = 1 } },
              field: "spec.analysis.metrics[0].judge.confidence", message: "must be between 0 and 1 (0.95: a p-value below 0.05 is significant)"),
        .init(name: "judge minSamples of 0", edit: { judged(&$0) { $0.minSamples = 0 } },
              field: "spec.analysis.metrics[0].judge.minSamples", message: "must be at least 1"),
        .init(name: "judge negative minEffect", edit: { judged(&$0) { $0.minEffect = -0.1 } },
              field: "spec.analysis.metrics[0].judge.minEffect", message: "must be 0 or more"),
        .init(name: "judge window too short for minSamples", edit: { judged(&$0) { $0.window = "1m" } },
              field: "spec.analysis.metrics[0].judge.window", message: "gives at most 4 samples at step 15s, fewer than minSamples 10"),
        .init(name: "judge window with too many samples", edit: { judged(&$0) { $0.window = "1h"; $0.step = "1s" } },
              field: "spec.analysis.metrics[0].judge.window", message: "gives 3600 samples at step 1s; at most 1000"),
        .init(name: "score pass above 100", edit: { $0.analysis?.score = ScoreSpec(pass: 101) },
              field: "spec.analysis.score.pass", message: "must be between 0 and 100"),
        .init(name: "score marginal above pass", edit: { $0.analysis?.score = ScoreSpec(pass: 80, marginal: 90) },
              field: "spec.analysis.score.marginal", message: "must be between 0 and pass (80)"),
        .init(name: "neither query nor web nor job", edit: { $0.analysis?.metrics?[0].query = nil }, field: "spec.analysis.metrics[0]", message: "must set query (PromQL), web or job"),
        .init(name: "query and web", edit: { webMetric(&$0) { _ in }; $0.analysis?.metrics?[0].query = "up" },
              field: "spec.analysis.metrics[0]", message: "must set only one of query, web and job: a metric has one source"),
        .init(name: "a job metric with max", edit: { $0.analysis?.metrics?[0].query = nil; $0.analysis?.metrics?[0].job = MetricJob(template: PlannerJobGateTests.migration.template) },
              field: "spec.analysis.metrics[0].max", message: "does not apply to a job metric: it passes when its Job completes and breaches when it fails"),
        .init(name: "a job metric without containers", edit: {
                  $0.analysis?.metrics?[0] = MetricSpec(name: "smoke", job: MetricJob(template: PodTemplateSpec(spec: ["restartPolicy": "Never"])))
              },
              field: "spec.analysis.metrics[0].job.template.spec.containers", message: "must list at least one container"),
        .init(name: "a job metric running 2h", edit: {
                  $0.analysis?.metrics?[0] = MetricSpec(name: "smoke", job: MetricJob(template: PlannerJobGateTests.migration.template, timeout: "2h"))
              },
              field: "spec.analysis.metrics[0].job.timeout", message: "must be between 1s and 1h"),
        .init(name: "web without url", edit: { webMetric(&$0) { $0.url = nil } }, field: "spec.analysis.metrics[0].web", message: "must set url or urlSecret"),
        .init(name: "web url not http", edit: { webMetric(&$0) { $0.url = "ftp://checks/score" } },
              field: "spec.analysis.metrics[0].web.url", message: "must start with http:// or https://, not \"ftp://checks/score\""),
        .init(name: "web url and urlSecret", edit: { webMetric(&$0) { $0.urlSecret = SecretKeyReference(name: "s", key: "k") } },
              field: "spec.analysis.metrics[0].web.urlSecret", message: "cannot be set together with url; choose one"),
        .init(name: "web method PUT", edit: { webMetric(&$0) { $0.method = "PUT" } }, field: "spec.analysis.metrics[0].web.method", message: "must be GET or POST, not \"PUT\""),
        .init(name: "web body with GET", edit: { webMetric(&$0) { $0.body = "{}" } }, field: "spec.analysis.metrics[0].web.body", message: "is only sent with method POST"),
        .init(name: "web Authorization in headers", edit: { webMetric(&$0) { $0.headers = [HTTPHeaderSpec(name: "Authorization", value: "Bearer x")] } },
              field: "spec.analysis.metrics[0].web.headers[0].name", message: "Authorization is set from headersSecret, not from headers"),
        .init(name: "web timeout of 10m", edit: { webMetric(&$0) { $0.timeout = "10m" } }, field: "spec.analysis.metrics[0].web.timeout", message: "must be between 1s and 5m"),
        .init(name: "web jsonPath without a dot", edit: { webMetric(&$0) { $0.jsonPath = "score" } },
              field: "spec.analysis.metrics[0].web.jsonPath", message: "must be made of .key and [...] steps, like {.data.value}, not \"score\""),
        .init(name: "web jsonPath unclosed", edit: { webMetric(&$0) { $0.jsonPath = "{.a[0}" } },
              field: "spec.analysis.metrics[0].web.jsonPath", message: "has a [ without a closing ], not \"{.a[0}\""),
        .init(name: "web with a baseline", edit: { webMetric(&$0) { _ in }; $0.analysis?.metrics?[0].baseline = "x" },
              field: "spec.analysis.metrics[0].baseline", message: "needs a Prometheus query; a web metric has no baseline"),
        .init(name: "rollbackWindow beyond the records kept", edit: { $0.rollbackWindow = RollbackWindow(revisions: 6) },
              field: "spec.rollbackWindow.revisions", message: "must be between 1 and releaseHistoryLimit (5): only the releases kept in status are known"),
        .init(name: "rollbackWindow steps unknown", edit: { $0.rollbackWindow = RollbackWindow(revisions: 1, steps: "Fast") },
              field: "spec.rollbackWindow.steps", message: "must be Skip or Run, not \"Fast\""),
        .init(name: "a gate with url and job", edit: { $0.hooks = RolloutHooks(preRelease: GateHook(url: "http://x", job: PlannerJobGateTests.migration)) },
              field: "spec.hooks.preRelease", message: "must set only one of url, urlSecret and job"),
        .init(name: "a gate Job that restarts", edit: {
                  var gate = PlannerJobGateTests.migration
                  gate.template.spec?["restartPolicy"] = "Always"
                  $0.hooks = RolloutHooks(preRelease: GateHook(job: gate))
              },
              field: "spec.hooks.preRelease.job.template.spec.restartPolicy", message: "must be Never or OnFailure (a Job's pods end), not \"Always\""),
        .init(name: "a gate Job without containers", edit: { $0.hooks = RolloutHooks(preCutover: GateHook(job: JobGate(template: PodTemplateSpec(spec: ["restartPolicy": "Never"])))) },
              field: "spec.hooks.preCutover.job.template.spec.containers", message: "must list at least one container"),
        .init(name: "a gate Job longer than 6h", edit: { $0.hooks = RolloutHooks(preRelease: GateHook(job: PlannerJobGateTests.migration, timeout: "7h")) },
              field: "spec.hooks.preRelease.timeout", message: "must be between 1s and 6h"),
        .init(name: "promotion without sources", edit: { $0.promotion = PromotionSpec(from: []) },
              field: "spec.promotion.from", message: "must name at least one source (a namespace and a rollout or group)"),
        .init(name: "promotion source naming both", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging", rollout: "a", group: "b")]) },
              field: "spec.promotion.from[0]", message: "must name exactly one of rollout or group"),
        .init(name: "promotion source naming neither", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging")]) },
              field: "spec.promotion.from[0]", message: "must name exactly one of rollout or group"),
        .init(name: "promotion source bad namespace", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "Staging", rollout: "a")]) },
              field: "spec.promotion.from[0].namespace", message: "must be a namespace name, not \"Staging\""),
        .init(name: "promotion source bad rollout", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging", rollout: "a_b")]) },
              field: "spec.promotion.from[0].rollout", message: "must be a Rollout name, not \"a_b\""),
        .init(name: "promotion kubeconfig without key",
              edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging", rollout: "a", kubeconfigSecret: SecretKeyReference(name: "stg", key: ""))]) },
              field: "spec.promotion.from[0].kubeconfigSecret.key", message: "must name the Secret's key holding the kubeconfig"),
        .init(name: "promotion bad soak", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging", rollout: "a")], soak: "a while") },
              field: "spec.promotion.soak", message: "must be a duration like 30s, 5m or 1h30m, not \"a while\""),
        .init(name: "promotion bad match", edit: { $0.promotion = PromotionSpec(from: [PromotionSource(namespace: "staging", rollout: "a")], match: "Digest") },
              field: "spec.promotion.match", message: "must be one of Images, Template, not \"Digest\""),
    ]

    @Test(arguments: cases)
    func eachInvalidFieldIsNamedWithAHumanMessage(_ invalid: InvalidSpecCase) {
        var spec = Self.valid
        invalid.edit(&spec)
        #expect(spec.validate() == [ValidationError(field: invalid.field, message: invalid.message)])
    }

    @Test func aRolloutNameMustLeaveRoomForTheRevision() {
        var rollout = Fixture.rollout(Self.valid)
        rollout.metadata.name = String(repeating: "a", count: 52)
        #expect(rollout.validate() == [])
        rollout.metadata.name = String(repeating: "a", count: 53)
        #expect(rollout.validate() == [ValidationError(field: "metadata.name", message: "must be at most 52 characters, so that <name>-<revision> names a Deployment")])
    }

    @Test func anInvalidRolloutGetsTheInvalidSpecConditionAndNoAction() throws {
        var world = World(Self.valid)
        world.converge()
        world.rollout.spec.strategy?.canary?.steps[1].weight = 10
        world.setTemplate(image: "app:2")
        let plan = planNextStep(for: world.snapshot, now: world.now)
        #expect(plan.actions.isEmpty)
        #expect(plan.afterStatus.allSatisfy { if case .recordEvent = $0 { true } else { false } })
        #expect(plan.status.phase == .invalidSpec)
        let condition = try #require(plan.status.conditions?.first { $0.type == "InvalidSpec" })
        #expect(condition.status == "True")
        #expect(condition.message == "spec.strategy.canary.steps[1].weight: must be greater than the previous step's weight 20")
        #expect(plan.status.suspendedPhase == .healthy)
    }
}

@Suite("DurationText and QueryTemplate")
struct TextFormatTests {
    @Test(arguments: [("0", 0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1h0m5s", 3605), ("90s", 90)] as [(String, Int64)])
    func durationsParse(_ text: String, _ seconds: Int64) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "s", "5", "1.5m", "5 m", "5d", "-5s", "m5", "99999999999999999999h"])
    func nonDurationsAreRefused(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test(arguments: [(0, "0s"), (90, "1m30s"), (3600, "1h"), (3661, "1h1m1s")] as [(Int64, String)])
    func durationsFormatShortest(_ seconds: Int64, _ text: String) {
        #expect(DurationText.format(seconds) == text)
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test func queriesRenderKnownVariablesAndKeepOthers() {
        let query = "rate(x{ns=\"{{namespace}}\",rev=\"{{ green }}\",old=\"{{blue}}\"}[{{interval}}]) {{nope}}"
        let rendered = QueryTemplate.render(query, variables: ["namespace": "prod", "green": "g1", "blue": "b1", "interval": "30s"])
        #expect(rendered == "rate(x{ns=\"prod\",rev=\"g1\",old=\"b1\"}[30s]) {{nope}}")
        #expect(QueryTemplate.variables(in: query) == ["namespace", "green", "blue", "interval", "nope"])
        #expect(QueryTemplate.render("a{{b", variables: ["b": "x"]) == "a{{b")
        #expect(QueryTemplate.render("é{{green}}ü{{ }}", variables: ["green": "ß"]) == "éßü{{ }}")
        #expect(QueryTemplate.render("{{green}}", variables: ["green": "g"]) == "g")
    }
}
