import Cutover
import Foundation
import KubeModels
import Testing
@testable import CutoverDashboard

/// The dashboard's pure parts: who may ask it what (``RequestGuard``), the overview's rows, the
/// measurement log behind the charts, and `-n a,b`. The page itself is tested in a real browser
/// (EndToEndTests, DashboardTests).
@Suite("Dashboard model")
struct DashboardModelTests {
    @Test("Host must name the server; a wildcard address answers to any", arguments: [
        ("127.0.0.1", "127.0.0.1:8080", true),
        ("127.0.0.1", "localhost:8080", true),
        ("127.0.0.1", "LOCALHOST:8080", true),
        ("127.0.0.1", "[::1]:8080", true),
        ("127.0.0.1", "127.0.0.1:9090", false),
        ("127.0.0.1", "evil.example:8080", false),
        ("127.0.0.1", nil, false),
        ("10.0.0.5", "10.0.0.5:8080", true),
        ("10.0.0.5", "localhost:8080", false),
        ("0.0.0.0", "anything.example:1", true),
    ] as [(String, String?, Bool)])
    func hostCheck(listen: String, host: String?, allowed: Bool) {
        let guardian = RequestGuard(host: listen, port: 8080, token: nil)
        #expect((guardian.refusal(host: host) == nil) == allowed, "\(listen) asked as \(host ?? "-")")
    }

    @Test("an action needs --allow-actions, the page's own Origin and its token", arguments: [
        ("token", "http://127.0.0.1:8080", "token", nil),
        (nil, "http://127.0.0.1:8080", "token", "read-only"),
        ("token", "http://evil.example", "token", "Origin http://evil.example"),
        ("token", nil, "token", "Origin missing"),
        ("token", "http://127.0.0.1:8080", nil, "token is missing or stale"),
        ("token", "http://127.0.0.1:8080", "tokem", "token is missing or stale"),
        ("token", "http://127.0.0.1:8080", "token-longer", "token is missing or stale"),
    ] as [(String?, String?, String?, String?)])
    func actionCheck(token: String?, origin: String?, presented: String?, refusal: String?) {
        let guardian = RequestGuard(host: "127.0.0.1", port: 8080, token: token)
        let answer = guardian.actionRefusal(host: "127.0.0.1:8080", origin: origin, token: presented)
        if let refusal {
            #expect(answer?.contains(refusal) == true, "\(answer ?? "allowed")")
        } else {
            #expect(answer == nil)
        }
    }

    @Test("the overview: kubectl cutover list -A's order, the canary step, paused, groups and notices")
    func overviewRows() throws {
        var canary = Fixtures.rollout(phase: .canary)
        canary.metadata.namespace = "b"
        canary.metadata.annotations = [CutoverLabels.paused: "true"]
        var grouped = Fixtures.rollout(phase: .healthy)
        grouped.metadata.namespace = "a"
        grouped.metadata.name = "zeta"
        grouped.metadata.labels = [CutoverLabels.group: "shop"]
        var plain = Fixtures.rollout(phase: .rolledBack)
        plain.metadata.namespace = "a"
        plain.metadata.name = "omega"
        let group = ReleaseGroup(metadata: ObjectMeta(name: "shop", namespace: "a"), spec: ReleaseGroupSpec())
        let overview = Overview(FeedSnapshot(rollouts: [canary, grouped, plain], groups: [group], notices: ["namespace c: forbidden"]))

        #expect(overview.rollouts.map { "\($0.namespace)/\($0.group ?? "-")/\($0.name)" } == ["a/-/omega", "a/shop/zeta", "b/-/web"])
        let row = try #require(overview.rollouts.last)
        #expect(row.phase == "Canary" && row.paused && row.weight == 20 && row.step == "1/2 at 20%" && row.greenRevision == "green22222")
        #expect(overview.rollouts[0].phase == "RolledBack" && overview.rollouts[0].step == nil)
        #expect(overview.groups.map(\.name) == ["shop"] && overview.groups[0].phase == "Pending")
        #expect(overview.notices == ["namespace c: forbidden"])
    }

    @Test("the measurement log keeps a release's measurements beyond the status' ten, and starts again with a new revision")
    func measurementLog() {
        var log = MeasurementLog()
        var rollout = Fixtures.rollout(phase: .canary, metrics: true)
        rollout.metadata.resourceVersion = "1"
        let start = Fixtures.at.date
        func measured(_ seconds: [Int], revision: String = "green22222") {
            var status = rollout.status!
            status.greenRevision = revision
            status.analysis![0].history = seconds.suffix(MetricStatus.historyLimit).map {
                MeasurementRecord(at: Timestamp(start.addingTimeInterval(Double($0))), revision: revision, value: Double($0), verdict: .pass, message: nil)
            }
            let old = ["prod/web": rollout]
            rollout.status = status
            rollout.metadata.resourceVersion = "\(Int(rollout.metadata.resourceVersion!)! + 1)"
            log.record(["prod/web": rollout], replacing: old)
        }
        measured(Array(1...10))
        measured(Array(1...25))  // a status keeps the newest ten: 16...25, the log 1...10 and 16...25
        #expect(log.points(rollout: "prod/web", revision: "green22222", metric: "error-rate").map(\.value) == (Array(1...10) + Array(16...25)).map(Double.init))
        measured(Array(1...400))
        #expect(log.points(rollout: "prod/web", revision: "green22222", metric: "error-rate").count == 30)

        measured([500], revision: "green33333")
        #expect(log.points(rollout: "prod/web", revision: "green22222", metric: "error-rate").isEmpty)
        #expect(log.points(rollout: "prod/web", revision: "green33333", metric: "error-rate").map(\.value) == [500])

        log.record([:], replacing: ["prod/web": rollout])
        #expect(log.points(rollout: "prod/web", revision: "green33333", metric: "error-rate").isEmpty, "a deleted Rollout is forgotten")
    }

    @Test("the measurement log holds at most its limit per metric")
    func measurementLogLimit() {
        var log = MeasurementLog()
        var rollout = Fixtures.rollout(phase: .canary, metrics: true)
        for batch in 0..<30 {
            let old = ["prod/web": rollout]
            rollout.metadata.resourceVersion = "\(batch + 1)"
            rollout.status!.analysis![0].history = (0..<10).map {
                MeasurementRecord(at: Timestamp(Fixtures.at.date.addingTimeInterval(Double(batch * 10 + $0))), revision: "green22222", value: 1, verdict: .pass, message: nil)
            }
            log.record(["prod/web": rollout], replacing: old)
        }
        let points = log.points(rollout: "prod/web", revision: "green22222", metric: "error-rate")
        #expect(points.count == MeasurementLog.limit)
        #expect(points.last?.at == Timestamp(Fixtures.at.date.addingTimeInterval(299)))
    }

    @Test("the printed address, and the warning for an address off loopback", arguments: [
        ("127.0.0.1", "127.0.0.1", true), ("localhost", "localhost", true), ("::1", "[::1]", true),
        ("0.0.0.0", "127.0.0.1", false), ("::", "[::1]", false), ("10.0.0.5", "10.0.0.5", false), ("fd00::5", "[fd00::5]", false),
    ])
    func address(host: String, shown: String, loopback: Bool) {
        #expect(ListenHost.urlHost(host) == shown)
        #expect(ListenHost.isLoopback(host) == loopback)
    }

    @Test("-n takes a list", arguments: [
        ("shop", ["shop"]), ("shop,team-b", ["shop", "team-b"]), (" shop , team-b ,,shop", ["shop", "team-b"]),
    ])
    func scope(list: String, names: [String]) {
        #expect(DashboardScope.parse(list) == .namespaces(names))
    }
}
