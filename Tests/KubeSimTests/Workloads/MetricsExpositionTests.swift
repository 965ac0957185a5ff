import Testing

@testable import KubeSim

@Suite("Prometheus text exposition")
struct MetricsExpositionTests {
    let series = RequestSeries(namespace: "prod", service: "payment", pod: "payment-abc-x1", revision: "abc", code: 200)

    func exposition() -> String {
        var histogram = LatencyHistogram()
        for latency in [0.004, 0.02, 0.02, 0.3, 12.0] { histogram.observe(latency) }
        return MetricsExposition.render(requests: [series: 5], durations: [series: histogram])
    }

    @Test("every line parses into the expected series")
    func parses() throws {
        let scraped = try ParsedExposition(exposition())
        #expect(scraped.types == ["http_requests_total": "counter", "http_request_duration_seconds": "histogram"])
        #expect(scraped.helps == ["http_requests_total", "http_request_duration_seconds"])
        let labels = ["namespace": "prod", "service": "payment", "pod": "payment-abc-x1", "revision": "abc", "code": "200"]
        #expect(scraped.samples.contains(ExpositionSample(name: "http_requests_total", labels: labels, value: 5)))

        let buckets = scraped.samples.filter { $0.name == "http_request_duration_seconds_bucket" }
        #expect(buckets.map { $0.labels["le"] ?? "" } == [
            "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf",
        ])
        #expect(buckets.map(\.value) == [1, 1, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5])
        #expect(buckets.allSatisfy { $0.labels.filter { $0.key != "le" } == labels })
        #expect(scraped.sum("http_request_duration_seconds_count", labels) == 5)
        #expect(abs(scraped.sum("http_request_duration_seconds_sum", labels) - 12.344) < 1e-9)
    }

    @Test("label values are escaped as the format requires")
    func escaping() throws {
        let odd = RequestSeries(namespace: "a\"b", service: "back\\slash", pod: "new\nline", revision: "", code: 500)
        let text = MetricsExposition.render(requests: [odd: 1], durations: [:])
        #expect(text.contains(#"namespace="a\"b",service="back\\slash",pod="new\nline",revision="",code="500""#))
        let scraped = try ParsedExposition(text)
        #expect(scraped.samples.first?.labels["pod"] == "new\nline")
        #expect(scraped.samples.first?.labels["service"] == "back\\slash")
    }

    @Test("an empty simulator still exposes both families")
    func empty() throws {
        let scraped = try ParsedExposition(MetricsExposition.render(requests: [:], durations: [:]))
        #expect(scraped.samples.isEmpty)
        #expect(scraped.types.count == 2)
    }
}
