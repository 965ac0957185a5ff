import Cutover
import CutoverController
import Foundation
import Prometheus
import Testing

@Suite("Query results as measurements")
struct QueryResultMeasurementTests {
    static let point = SamplePoint(time: 1_700_000_000, value: 0.2)

    static func series(_ pod: String, _ value: Double) -> InstantSample {
        InstantSample(labels: ["pod": pod, "code": "500"], point: SamplePoint(time: 1_700_000_000, value: value))
    }

    @Test(arguments: [
        (QueryResult.vector([series("a", 0.2)]), Measurement.Sample.value(0.2)),
        (.scalar(point), .value(0.2)),
        (.vector([]), .noData),
        (.vector([series("a", .nan)]), .noData),
        (.scalar(SamplePoint(time: 0, value: .nan)), .noData),
        (.vector([series("a", .infinity)]), .value(.infinity)),
        (.scalar(SamplePoint(time: 0, value: -.infinity)), .value(-.infinity)),
        (.vector([series("a", 0)]), .value(0)),
    ])
    func numbersAndNoData(result: QueryResult, expected: Measurement.Sample) {
        #expect(result.measurementSample == expected)
    }

    @Test func severalSeriesAreAnErrorSuggestingSum() {
        let result = QueryResult.vector([Self.series("b", 1), Self.series("a", 2)])
        guard case .error(let message) = result.measurementSample else { Issue.record("not an error"); return }
        #expect(message.contains("2 series"))
        #expect(message.contains(#"{code="500", pod="b"}"#))
        #expect(message.contains("sum(...)"))
    }

    @Test func manySeriesAreAbbreviated() {
        let result = QueryResult.vector((0..<10).map { Self.series("p\($0)", 1) })
        guard case .error(let message) = result.measurementSample else { Issue.record("not an error"); return }
        #expect(message.contains("10 series"))
        #expect(message.contains("…"))
        #expect(!message.contains("p5"))
    }

    @Test func aMatrixIsAnErrorSuggestingAFunctionAndSum() {
        let result = QueryResult.matrix([RangeSeries(labels: [:], points: [Self.point, Self.point])])
        guard case .error(let message) = result.measurementSample else { Issue.record("not an error"); return }
        #expect(message.contains("range vector"))
        #expect(message.contains("sum(rate("))
    }

    @Test func aStringIsAnError() {
        guard case .error(let message) = QueryResult.string(time: 0, value: "hi").measurementSample else {
            Issue.record("not an error"); return
        }
        #expect(message.contains("\"hi\""))
        #expect(message.contains("sum(...)"))
    }
}
