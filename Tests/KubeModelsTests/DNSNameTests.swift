import KubeModels
import Testing

/// The name shapes shared by KubeSim's name checks and the Rollout spec's validation.
@Suite("DNS name shapes")
struct DNSNameTests {
    @Test(arguments: [
        // text, RFC 1123 label, RFC 1123 subdomain, RFC 1035 label
        ("web", true, true, true),
        ("123-abc", true, true, false),
        ("my-name", true, true, true),
        ("example.com", false, true, false),
        ("a..b", false, false, false),
        ("-web", false, false, false),
        ("web-", false, false, false),
        ("C20-Bad-Name", false, false, false),
        ("web_1", false, false, false),
        ("", false, false, false),
        ("wéb", false, false, false),
    ])
    func shapes(_ text: String, _ label1123: Bool, _ subdomain: Bool, _ label1035: Bool) {
        #expect(DNSName.isRFC1123Label(text) == label1123)
        #expect(DNSName.isRFC1123Subdomain(text) == subdomain)
        #expect(DNSName.isRFC1035Label(text) == label1035)
    }
}
