import Cutover
import CutoverCLI
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// `kubectl cutover <command> group NAME` beside `kubectl cutover <command> NAME`: the argument
/// shape, and the built binary through the real kubectl against the group fixtures.
@Suite("group commands through kubectl", .serialized, .timeLimit(.minutes(3)))
struct GroupPluginTests {
    @Test(arguments: [
        ("web", nil, ReleaseTarget.rollout("web")), ("group", "shop", .group("shop")), ("crg", "shop", .group("shop")),
        ("releasegroup", "shop", .group("shop")), ("ReleaseGroups", "shop", .group("shop")), ("rollout", "web", .rollout("web")),
        ("cro", "web", .rollout("web")), ("group", nil, .rollout("group")),
    ] as [(String, String?, ReleaseTarget)])
    func aNameAloneIsARolloutAndAKindWordPicksTheKind(first: String, second: String?, expected: ReleaseTarget) throws {
        #expect(try ReleaseTarget(first, second) == expected)
    }

    @Test func anUnknownKindIsAUsageError() {
        #expect(throws: CLIError.self) { try ReleaseTarget("widget", "shop") }
    }

    @Test func everyGroupCommandThroughKubectl() async throws {
        try await CLICluster.withGroups { cluster in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-group-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = try cluster.writeKubeconfig(in: directory)
            func run(_ arguments: String...) async throws -> PluginProcessTests.Run {
                try await PluginProcessTests.run(["kubectl", "cutover"] + arguments, kubeconfig: kubeconfig)
            }

            let get = try await run("get", "group", "shop")
            #expect(get.status == 0, "\(get.err)")
            try expectGolden(get.out, "get-group-canary")

            let inFlight = try await run("status", "crg", "shop")
            #expect(inFlight.status == 3 && inFlight.out == "Canary (canary step 1/2) — waiting for 1 member to pass step 1; 2/3 ready\n", "\(inFlight.out)\(inFlight.err)")
            let reverted = try await run("status", "releasegroup", "checkout", "--watch", "--timeout", "10s")
            #expect(reverted.status == 1, "\(reverted.out)\(reverted.err)")
            #expect(reverted.err.hasPrefix("error: releasegroup checkout did not complete: RolledBack — AnalysisBreach: "), "\(reverted.err)")

            let promote = try await run("promote", "group", "shop", "-n", "default")
            #expect(promote.status == 1 && promote.err.hasPrefix("error: cannot promote releasegroup shop: not every member has reached the cutover yet"), "\(promote.err)")
            let abort = try await run("abort", "group", "shop")
            #expect(abort.status == 0 && abort.out.hasPrefix("releasegroup.cutover.dev/shop annotated (cutover.dev/abort="), "\(abort.out)\(abort.err)")
            #expect(try await cluster.group("shop").metadata.annotations?[CutoverLabels.abort] != nil)

            let report = try await run("report", "group", "checkout", "--format", "json")
            #expect(report.status == 0, "\(report.err)")
            try expectGolden(report.out, "report-group-reverted-json")

            // Commands a ReleaseGroup has no counterpart for: a usage error, nothing done.
            for arguments in [["pause", "group", "shop"], ["history", "group", "shop"], ["promote", "group", "shop", "--full"]] {
                let refused = try await PluginProcessTests.run(["kubectl", "cutover"] + arguments, kubeconfig: kubeconfig)
                #expect(refused.status == 64, "\(arguments): \(refused.err)")
                #expect(refused.err.contains("works on a Rollout"), "\(arguments): \(refused.err)")
            }
            let unknown = try await run("get", "widget", "shop")
            #expect(unknown.status == 64 && unknown.err.contains(#"unknown kind "widget""#), "\(unknown.err)")

            // A Rollout's name alone, or after `rollout`, works as before.
            let member = try await run("status", "rollout", "frontend")
            #expect(member.status == 0 && member.out == "Healthy — serving \(GroupFixtures.frontend)\n", "\(member.out)\(member.err)")

            let help = try await run("get", "--help")
            #expect(help.out.contains("USAGE: kubectl cutover get [group] <name> [<options>]"), "\(help.out)")
        }
    }
}
