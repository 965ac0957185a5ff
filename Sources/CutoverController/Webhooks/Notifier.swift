import Cutover
import Logging

/// Sends one notification to one target: the perform function of the notifications'
/// ``EffectPipeline``, which keeps a lane per Rollout and target so that a target reads events one
/// at a time in id order (a Slack channel reads `CutOver` before `Completed`), sends an event once
/// per target while the controller runs, and at most 8 at once.
///
/// Attempts end after the target's timeout and are retried 1 s, 2 s, 4 s, 8 s apart on a timeout,
/// a connection error, 408, 429 or 5xx; another 4xx is final.
final class Notifier: Sendable {
    /// Attempts per event and target.
    static let attempts = 5

    private let client: WebhookClient
    private let secrets: any SecretReader
    private let metrics: ControllerMetrics?
    private let logger: Logger

    init(client: WebhookClient, secrets: any SecretReader, metrics: ControllerMetrics? = nil, logger: Logger = Logger(label: "cutover.notifications")) {
        self.client = client
        self.secrets = secrets
        self.metrics = metrics
        self.logger = logger
    }

    /// Every attempt of one event to one target; nil when cut short by a shutdown (the outbox keeps
    /// the event for the next controller).
    func deliver(_ notice: PendingNotification, to target: NotificationTarget, from sender: NotificationWork.Sender, uid: String) async -> NotificationDelivery? {
        let payload = NotificationPayload(notice, of: sender, uid: uid)
        let owner = sender.key
        let secrets = self.secrets, reference = target.urlSecret
        let headers = [("X-Cutover-Event", payload.event.rawValue), ("X-Cutover-Delivery", payload.deliveryID)]
        let attempts = await client.post(
            attempts: Self.attempts, target: .notifications, timeout: target.timeoutSeconds, body: payload.body(target.resolvedFormat),
            url: { try await secrets.url(from: reference, namespace: owner.namespace) },
            headers: { _ in headers },
            retryable: { $0.status >= 500 || $0.status == 408 || $0.status == 429 },
            failedAttempt: { attempt, message in
                logger.info(
                    "notification attempt failed",
                    metadata: ["owner": "\(owner)", "target": "\(target.name)", "id": "\(notice.id)", "attempt": "\(attempt)", "answer": "\(message)"])
            })
        guard let attempts else { return nil }
        metrics?.webhookFinished(kind: "notification", succeeded: attempts.succeeded)
        return NotificationDelivery(
            id: notice.id, target: target.name, delivered: attempts.succeeded, message: attempts.succeeded ? nil : attempts.message)
    }
}
