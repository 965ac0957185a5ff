import KubeModels

extension RolloutSpec {
    /// `spec.promotion`: at least one source, each naming a namespace and exactly one of a Rollout
    /// or a ReleaseGroup, a complete kubeconfig Secret reference, a duration for `soak` and a
    /// known `match`.
    func validatePromotion(_ fail: (String, String) -> Void) {
        guard let promotion else { return }
        if promotion.from.isEmpty { fail("spec.promotion.from", "must name at least one source (a namespace and a rollout or group)") }
        for (index, source) in promotion.from.enumerated() {
            let path = "spec.promotion.from[\(index)]"
            if !DNSName.isRFC1123Label(source.namespace) || source.namespace.utf8.count > 63 {
                fail("\(path).namespace", "must be a namespace name, not \"\(source.namespace)\"")
            }
            switch (source.rollout, source.group) {
            case (nil, nil), (.some, .some):
                fail(path, "must name exactly one of rollout or group")
            case (let name?, nil):
                if !DNSName.isRFC1123Subdomain(name) { fail("\(path).rollout", "must be a Rollout name, not \"\(name)\"") }
            case (nil, let name?):
                if !DNSName.isRFC1123Subdomain(name) { fail("\(path).group", "must be a ReleaseGroup name, not \"\(name)\"") }
            }
            if let secret = source.kubeconfigSecret {
                if !DNSName.isRFC1123Subdomain(secret.name) { fail("\(path).kubeconfigSecret.name", "must be a Secret name, not \"\(secret.name)\"") }
                if secret.key.isEmpty { fail("\(path).kubeconfigSecret.key", "must name the Secret's key holding the kubeconfig") }
            }
        }
        if let soak = promotion.soak, DurationText.seconds(soak) == nil {
            fail("spec.promotion.soak", "must be a duration like 30s, 5m or 1h30m, not \"\(soak)\"")
        }
        if let match = promotion.match, PromotionMatch(rawValue: match) == nil {
            fail("spec.promotion.match", "must be one of \(PromotionMatch.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(match)\"")
        }
    }
}
