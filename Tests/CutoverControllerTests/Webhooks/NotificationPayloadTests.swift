import Cutover
@testable import CutoverController
import Foundation
import KubeModels
import KubeRuntime
import Testing

/// The bodies a breach-and-revert notification is sent as, byte for byte.
@Suite("Notification payloads")
struct NotificationPayloadTests {
    static let notice = PendingNotification(
        id: 7, revision: "6f9c8d7b5a", blueRevision: "5d4c3b2a19",
        event: ReleaseEvent(
            at: Timestamp(Date(timeIntervalSince1970: 1_800_000_000)), type: .rolledBack,
            message: "6f9c8d7b5a rolled back: error-rate 0.1989 > 0.05 (max)", reason: "AnalysisBreach", metric: "error-rate",
            value: 0.1989, limit: 0.05),
        targets: ["team"])

    static let payload = NotificationPayload(notice, of: .rollout(ObjectKey(namespace: "shop", name: "payment")), uid: "2f1e")

    @Test func theGenericBodyCarriesEveryFact() throws {
        let text = String(decoding: Self.payload.body(.json), as: UTF8.self)
        #expect(text == #"{"at":"2027-01-15T08:00:00Z","blueRevision":"5d4c3b2a19","deliveryID":"2f1e/7","event":"RolledBack","id":7,"limit":0.05,"message":"6f9c8d7b5a rolled back: error-rate 0.1989 > 0.05 (max)","metric":"error-rate","namespace":"shop","reason":"AnalysisBreach","revision":"6f9c8d7b5a","rollout":"payment","value":0.1989}"#)
    }

    @Test func theSlackBodyIsOneEscapedMessage() throws {
        let body = try JSONDecoder().decode([String: String].self, from: Data(Self.payload.body(.slack)))
        #expect(body == [
            "text": ":rotating_light: *shop/payment* RolledBack: 6f9c8d7b5a rolled back: error-rate 0.1989 &gt; 0.05 (max)\n`error-rate` = 0.1989 (limit 0.05)\nrevision `6f9c8d7b5a`, blue `5d4c3b2a19`"
        ])
    }

    @Test func aGroupsEventsNameTheGroupInsteadOfARollout() throws {
        let payload = NotificationPayload(Self.notice, of: .releaseGroup(ObjectKey(namespace: "shop", name: "checkout")), uid: "9a")
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(payload.body(.json)))
        #expect(json["releaseGroup"]?.stringValue == "checkout")
        #expect(json["rollout"] == nil)
        #expect(json["deliveryID"]?.stringValue == "9a/7")
        #expect(payload.slackText.hasPrefix(":rotating_light: *shop/checkout* (group) RolledBack: "))
    }

    @Test(arguments: ReleaseEventType.allCases)
    func everyEventHasASlackLine(_ type: ReleaseEventType) {
        var notice = Self.notice
        notice.event = ReleaseEvent(at: notice.event.at, type: type, message: "m")
        let text = NotificationPayload(notice, of: .rollout(ObjectKey(namespace: "shop", name: "payment")), uid: "u").slackText
        #expect(text.contains("*shop/payment* \(type.rawValue): m"))
        #expect(text.hasPrefix(":"))
    }
}
