import Cutover
import KubeAPI
import KubeModels
import KubeRuntime
import Logging

extension RolloutController {
    /// Executes one planned action. Each is idempotent against a cache that lags the server: a
    /// create of a Deployment that exists, a delete of one that is gone, a scale of one not yet
    /// created are all successes, and the next plan sees the truth.
    func execute(_ action: ReleaseAction, for rollout: Rollout, logger: Logger) async throws {
        let namespace = rollout.metadata.namespace ?? ""
        switch action {
        case .createDeployment(var deployment):
            if deployment.metadata.namespace == nil { deployment.metadata.namespace = namespace }
            do {
                _ = try await client.create(deployment, fieldManager: configuration.fieldManager)
                logger.info("created Deployment", metadata: ["deployment": "\(deployment.metadata.name ?? "")"])
            } catch let error as KubeError where error.isAlreadyExists {
                // Ours from an earlier reconcile whose result the cache has not shown yet: adopt it.
                logger.debug("Deployment already exists", metadata: ["deployment": "\(deployment.metadata.name ?? "")"])
            }

        case .scaleDeployment(let name, let replicas):
            do {
                _ = try await client.scale(Deployment.resource, name: name, namespace: namespace, replicas: replicas)
                logger.info("scaled Deployment", metadata: ["deployment": "\(name)", "replicas": "\(replicas)"])
            } catch let error as KubeError where error.isNotFound {
                logger.debug("Deployment to scale is gone", metadata: ["deployment": "\(name)"])
            }

        case .deleteDeployment(let name):
            do {
                try await client.delete(Deployment.self, name: name, namespace: namespace)
                logger.info("deleted Deployment", metadata: ["deployment": "\(name)"])
            } catch let error as KubeError where error.isNotFound {}

        case .patchServiceSelector(let patch):
            try await services.patch(patch.service, namespace: namespace, with: patch.mergePatch, through: client, fieldManager: configuration.fieldManager)
            logger.info(
                "patched Service selector",
                metadata: ["service": "\(patch.service)", "revision": "\(patch.revision ?? "(removed)")"])

        case .claimService(let claim):
            // A 409 Conflict means someone wrote the Service since it was read (perhaps another
            // Rollout's claim): the queue retries, and the next plan sees what is there now.
            try await services.patch(claim.service, namespace: namespace, with: claim.mergePatch, through: client, fieldManager: configuration.fieldManager)
            logger.info("claimed Service", metadata: ["service": "\(claim.service)"])

        case .recordEvent(let event):
            await recorder.record(
                on: rollout, type: event.type == "Warning" ? .warning : .normal, reason: event.reason,
                message: event.message)

        case .measure(let queries):
            effects.measure(queries, of: rollout)

        case .callHook(let call):
            effects.callHook(call, for: RolloutKey(rollout))

        case .checkPromotion(let check):
            effects.checkPromotion(check, for: RolloutKey(rollout))
        }
    }
}

extension ObjectCache where Object == Service {
    /// Merge-patches a Service through `client` and reads the result back into this cache at once
    /// (a Rollout's selector patches and claims, a group's switches): the next plan (a revert
    /// planned a moment after a selector patch) must not decide from the Service as it was before,
    /// however far the watch trails.
    func patch(_ name: String, namespace: String, with patch: JSONValue, through client: KubeClient, fieldManager: String) async throws {
        let base = get(name: name, namespace: namespace)?.metadata.resourceVersion ?? ""
        let stored = try await client.patch(Service.self, name: name, namespace: namespace, patch: .merge(patch), fieldManager: fieldManager)
        assumeWritten(stored, over: base)
    }
}
