import Foundation
import Testing

@testable import Prometheus

/// Bodies as the Prometheus HTTP API documents them (querying/api, "Expression query result
/// formats"); the real server's bodies are decoded by the integration tests in CutoverControllerTests.
@Suite("Decoding /api/v1/query answers")
struct QueryResponseDecodingTests {
    private func decode(_ body: String, status: Int = 200) throws -> QueryResponse {
        try QueryResponse.decode(Array(body.utf8), httpStatus: status)
    }

    private func error(_ body: String, status: Int) -> PrometheusError? {
        do {
            _ = try QueryResponse.decode(Array(body.utf8), httpStatus: status)
            return nil
        } catch {
            return error
        }
    }

    @Test func vectorWithLabels() throws {
        let response = try decode("""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"up","job":"prometheus","instance":"localhost:9090"},"value":[1435781451.781,"1"]},
              {"metric":{"__name__":"up","job":"node","instance":"localhost:9100"},"value":[1435781451.781,"0"]}]}}
            """)
        guard case .vector(let samples) = response.result else { Issue.record("not a vector: \(response.result)"); return }
        #expect(samples.count == 2)
        #expect(samples[0].labels == ["__name__": "up", "job": "prometheus", "instance": "localhost:9090"])
        #expect(samples[0].point == SamplePoint(time: 1435781451.781, value: 1))
        #expect(samples[1].point.value == 0)
        #expect(response.warnings.isEmpty)
    }

    @Test func emptyVector() throws {
        let response = try decode(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
        #expect(response.result == .vector([]))
    }

    @Test func vectorSampleWithoutMetricLabels() throws {
        let response = try decode(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"0.2"]}]}}"#)
        #expect(response.result == .vector([InstantSample(labels: [:], point: SamplePoint(time: 1_700_000_000, value: 0.2))]))
    }

    @Test func scalar() throws {
        let response = try decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"42.25"]}}"#)
        #expect(response.result == .scalar(SamplePoint(time: 1_700_000_000.5, value: 42.25)))
    }

    @Test func matrix() throws {
        let response = try decode("""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","job":"prometheus"},"values":[[1435781430.781,"1"],[1435781445.781,"1"],[1435781460.781,"0"]]}]}}
            """)
        guard case .matrix(let series) = response.result else { Issue.record("not a matrix"); return }
        #expect(series.count == 1)
        #expect(series[0].points.map(\.value) == [1, 1, 0])
        #expect(series[0].points.first?.time == 1435781430.781)
    }

    @Test func string() throws {
        let response = try decode(#"{"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}}"#)
        #expect(response.result == .string(time: 1_700_000_000, value: "hello"))
    }

    @Test(arguments: [("NaN", Double.nan), ("+Inf", Double.infinity), ("-Inf", -Double.infinity), ("1e-05", 0.00001), ("-3", -3)])
    func specialValues(text: String, expected: Double) throws {
        let response = try decode(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"\#(text)"]}}"#)
        guard case .scalar(let point) = response.result else { Issue.record("not a scalar"); return }
        if expected.isNaN {
            #expect(point.value.isNaN)
        } else {
            #expect(point.value == expected)
        }
    }

    @Test func warningsAreKept() throws {
        let response = try decode(
            #"{"status":"success","warnings":["partial response"],"data":{"resultType":"vector","result":[]}}"#)
        #expect(response.warnings == ["partial response"])
    }

    @Test(arguments: [
        (400, "bad_data", PrometheusError.APIErrorType.badData, "invalid parameter \"query\": 1:5: parse error: unexpected \"}\""),
        (422, "execution", .execution, "many-to-many matching not allowed: matching labels must be unique on one side"),
        (503, "timeout", .timeout, "query timed out in expression evaluation"),
        (503, "unavailable", .unavailable, "TSDB not ready"),
        (499, "canceled", .canceled, "query was canceled"),
        (500, "internal", .internal, "boom"),
        (404, "not_found", .notFound, "no such endpoint"),
        (400, "something_new", .other("something_new"), "future error"),
    ])
    func errorBodies(status: Int, wireType: String, type: PrometheusError.APIErrorType, message: String) {
        let escaped = message.replacingOccurrences(of: "\"", with: "\\\"")
        let body = #"{"status":"error","errorType":"\#(wireType)","error":"\#(escaped)"}"#
        let thrown = error(body, status: status)
        #expect(thrown == .api(type: type, message: message, httpStatus: status))
        #expect(thrown?.description.contains(message) == true)
        #expect(type.description == wireType)
    }

    @Test func nonJSONErrorPageIsAnHTTPError() {
        let thrown = error("<html>502 Bad Gateway</html>", status: 502)
        #expect(thrown == .http(status: 502, body: "<html>502 Bad Gateway</html>"))
    }

    @Test func garbageWithSuccessStatusIsADecodingError() {
        guard case .decoding(let reason)? = error("not json", status: 200) else { Issue.record("expected a decoding error"); return }
        #expect(reason.contains("not json"))
    }

    @Test func unknownResultTypeIsNamed() {
        guard case .decoding(let reason)? = error(#"{"status":"success","data":{"resultType":"tensor","result":[]}}"#, status: 200) else {
            Issue.record("expected a decoding error"); return
        }
        #expect(reason.contains("tensor"))
    }

    @Test func nonNumericValueIsADecodingError() {
        guard case .decoding(let reason)? = error(#"{"status":"success","data":{"resultType":"scalar","result":[1,"abc"]}}"#, status: 200) else {
            Issue.record("expected a decoding error"); return
        }
        #expect(reason.contains("abc"))
    }

    @Test func nativeHistogramSamplesSuggestHistogramQuantile() {
        let body = """
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"latency"},
              "histogram":[1700000000,{"count":"10","sum":"3.5","buckets":[[0,"0.5","1","10"]]}]}]}}
            """
        guard case .decoding(let reason)? = error(body, status: 200) else { Issue.record("expected a decoding error"); return }
        #expect(reason.contains("histogram_quantile"))
    }
}
