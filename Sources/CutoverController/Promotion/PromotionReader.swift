import Cutover
import KubeAPI
import KubeModels
import Logging

/// Reads the sources of a ``PromotionCheck``: Rollouts and ReleaseGroups in this cluster (with the
/// controller's client) or in another one (with a client made from the kubeconfig Secret the
/// source names, kept while the Secret's content stays the same). It only ever gets those objects
/// (and, for a group source, the member Rollout of the checked Rollout's name). Whatever goes
/// wrong becomes ``SourceEvidence/Found/unreachable(_:)``, which never lets a release through.
actor PromotionReader {
    /// A source cluster's client, by the Secret key it was made from.
    private struct RemoteKey: Hashable {
        var namespace: String
        var secret: String
        var key: String
    }

    /// Requests to another cluster give up quickly: a check is repeated every few seconds anyway.
    static let remoteOptions = KubeClient.Options(
        qps: 5, burst: 10, retry: RetryPolicy(maxRetryAfterAttempts: 1, maxBackoffAttempts: 1, baseDelay: 0.2, maxDelay: 1),
        requestTimeout: 5)

    private let local: KubeClient
    private let secrets: any SecretReader
    private let policy: OutboundPolicy
    private let logger: Logger
    private var remote: [RemoteKey: (kubeconfig: [UInt8], client: KubeClient)] = [:]

    /// - Parameter policy: which other clusters' API servers may be read.
    init(client: KubeClient, secrets: any SecretReader, policy: OutboundPolicy = OutboundPolicy(), logger: Logger) {
        local = client
        self.secrets = secrets
        self.policy = policy
        self.logger = logger
    }

    /// Every source of `check`, in order; `namespace` is the checked Rollout's (where Secrets are read).
    func read(_ check: PromotionCheck, namespace: String) async -> PromotionEvidence {
        var sources: [SourceEvidence] = []
        for source in check.sources {
            sources.append(SourceEvidence(source: source, found: await read(source, member: check.member, namespace: namespace)))
        }
        return PromotionEvidence(revision: check.revision, sources: sources)
    }

    private func read(_ source: PromotionSource, member: String, namespace: String) async -> SourceEvidence.Found {
        let client: KubeClient
        do {
            client = try await self.client(for: source, namespace: namespace)
        } catch {
            return .unreachable("\(error)")
        }
        do {
            if let group = source.group {
                let found = try await client.get(ReleaseGroup.self, name: group, namespace: source.namespace)
                var releases: SourceReleases?
                do {
                    let rollout = try await client.get(Rollout.self, name: member, namespace: source.namespace)
                    releases = SourceReleases(history: rollout.status?.history ?? [], serving: rollout.status?.activeRevision)
                } catch let error as KubeError where error.isNotFound {}
                return .group(SourceReleases(history: found.status?.history ?? []), member: releases)
            }
            let rollout = try await client.get(Rollout.self, name: source.rollout ?? "", namespace: source.namespace)
            return .rollout(SourceReleases(history: rollout.status?.history ?? [], serving: rollout.status?.activeRevision))
        } catch let error as KubeError where error.isNotFound {
            return .notFound
        } catch {
            logger.debug("promotion source unreadable", metadata: ["source": "\(source)", "error": "\(error)"])
            return .unreachable("\(error)")
        }
    }

    /// The controller's client, or one for the cluster of `source.kubeconfigSecret`.
    private func client(for source: PromotionSource, namespace: String) async throws -> KubeClient {
        guard let reference = source.kubeconfigSecret else { return local }
        let origin = "Secret \(namespace)/\(reference.name) key \(reference.key)"
        let data: [String: [UInt8]]
        do {
            data = try await secrets.secretData(namespace: namespace, name: reference.name)
        } catch {
            throw PromotionReadError("cannot read Secret \(namespace)/\(reference.name): \(error)")
        }
        guard let kubeconfig = data[reference.key] else { throw PromotionReadError("\(origin) does not exist") }
        let key = RemoteKey(namespace: namespace, secret: reference.name, key: reference.key)
        if let known = remote[key], known.kubeconfig == kubeconfig { return known.client }
        let config = try KubeConfig.parse(inline: String(decoding: kubeconfig, as: UTF8.self), origin: origin)
        if let refusal = await policy.refusal(of: config.server, for: .clusters) { throw PromotionReadError(refusal) }
        let client = try KubeClient(config: config, options: Self.remoteOptions, logger: logger)
        if let replaced = remote.updateValue((kubeconfig, client), forKey: key) {
            Task { try? await replaced.client.shutdown() }
        }
        return client
    }

    /// Closes the clients of other clusters.
    func shutdown() async {
        for (_, entry) in remote { try? await entry.client.shutdown() }
        remote = [:]
    }
}

/// A promotion source that could not be read, said plainly.
struct PromotionReadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
