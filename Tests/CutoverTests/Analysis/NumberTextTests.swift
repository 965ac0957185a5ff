import Foundation
import Testing

@testable import Cutover

/// The one number formatter of messages, Events, notifications and the plugin.
@Suite("Number text")
struct NumberTextTests {
    @Test(arguments: [
        (0.0, "0"), (3.0, "3"), (-42.0, "-42"), (0.2, "0.2"), (0.24181234, "0.2418"), (1234.5678, "1235.0"),
        (0.000123456, "0.0001235"), (1e15, "1000000000000000.0"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
    ])
    func short(_ value: Double, _ text: String) {
        #expect(NumberText.short(value) == text)
    }

    /// Prometheus answers `x / 0` with +Inf: the breach message spells it as Prometheus does.
    @Test func anInfiniteBreachSaysInfAsPrometheusDoes() {
        let judgement = Fixture.metric().judge(Measurement(metric: "error-rate", revision: "g", at: Fixture.epoch, value: .value(.infinity)))
        #expect(judgement.verdict == .breach)
        #expect(judgement.message == "error-rate +Inf > max 0.01")
    }
}
