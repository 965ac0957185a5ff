import Testing
@testable import KubeModels

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-21T22:46:00Z", "2026-11-21T22:46:00Z"),
        ("2026-11-21T22:46:00.123456Z", "2026-11-21T22:46:00.123456Z"),
        ("2026-11-22T00:16:00+01:30", "2026-11-21T22:46:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
    ])
    func roundTrips(input: String, expected: String) throws {
        let parsed = try #require(Timestamp(rfc3339: input))
        #expect(parsed.description == expected)
    }

    @Test(arguments: ["", "2026-11-21", "2026-13-01T00:00:00Z", "2026-11-21T22:46:00", "2026-11-21T22:46:00.Z"])
    func rejectsMalformed(input: String) {
        #expect(Timestamp(rfc3339: input) == nil)
    }
}
