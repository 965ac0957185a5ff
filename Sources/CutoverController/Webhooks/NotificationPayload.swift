import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The generic JSON body of a notification. `deliveryID` (`<object uid>/<id>`) is the same for
/// every attempt and after a controller restart: receivers can drop repeats by it. A Rollout's
/// events name it in `rollout`, a ReleaseGroup's in `releaseGroup`.
struct NotificationPayload: Codable, Sendable, Hashable {
    var deliveryID: String
    var id: Int64
    var rollout: String?
    var releaseGroup: String?
    var namespace: String
    var event: ReleaseEventType
    var at: Timestamp
    var message: String
    var revision: String
    var blueRevision: String?
    var reason: String?
    var step: Int32?
    var weight: Int32?
    var metric: String?
    var value: Double?
    var limit: Double?

    init(_ notice: PendingNotification, of sender: NotificationWork.Sender, uid: String) {
        let event = notice.event
        deliveryID = "\(uid)/\(notice.id)"
        id = notice.id
        switch sender {
        case .rollout(let key): rollout = key.name
        case .releaseGroup(let key): releaseGroup = key.name
        }
        namespace = sender.key.namespace
        self.event = event.type
        at = event.at
        message = event.message
        revision = notice.revision
        blueRevision = notice.blueRevision
        reason = event.reason
        step = event.step
        weight = event.weight
        metric = event.metric
        value = event.value
        limit = event.limit
    }

    /// The body for `format`.
    func body(_ format: NotificationTarget.Format) -> [UInt8] {
        switch format {
        case .json: return (try? JSONEncoder.sortedKeys.encode(self)).map { Array($0) } ?? []
        case .slack: return (try? JSONEncoder.sortedKeys.encode(["text": slackText])).map { Array($0) } ?? []
        }
    }

    /// One Slack message (mrkdwn): what happened, to which revision, and the numbers of a breach.
    var slackText: String {
        var text = "\(emoji) *\(namespace)/\(rollout ?? releaseGroup ?? "")*\(releaseGroup == nil ? "" : " (group)") \(event.rawValue): \(Self.escaped(message))"
        if let metric, let value {
            text += "\n`\(Self.escaped(metric))` = \(Self.number(value))" + (limit.map { " (limit \(Self.number($0)))" } ?? "")
        }
        text += "\nrevision `\(revision)`" + (blueRevision.map { ", blue `\($0)`" } ?? "")
        return text
    }

    private var emoji: String {
        switch event {
        case .started: ":rocket:"
        case .stepReached: ":arrow_forward:"
        case .awaitingApproval: ":raised_hand:"
        case .hookPassed: ":white_check_mark:"
        case .cutOver: ":twisted_rightwards_arrows:"
        case .completed: ":tada:"
        case .rolledBack: ":rotating_light:"
        case .superseded: ":fast_forward:"
        }
    }

    /// Slack's three control characters, escaped as its docs ask.
    static func escaped(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
