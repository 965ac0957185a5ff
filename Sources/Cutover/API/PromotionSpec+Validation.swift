import KubeModels

extension PromotionSpec {
    /// Every problem with this `promotion` block at `path` (`spec.promotion`): at least one source,
    /// each naming a namespace and exactly one of a Rollout or a ReleaseGroup, a complete
    /// kubeconfig Secret reference, a duration for `soak` and a known `match`.
    func validate(at path: String, _ fail: (String, String) -> Void) {
        if from.isEmpty { fail("\(path).from", "must name at least one source (a namespace and a rollout or group)") }
        for (index, source) in from.enumerated() {
            let at = "\(path).from[\(index)]"
            if !DNSName.isRFC1123Label(source.namespace) || source.namespace.utf8.count > 63 {
                fail("\(at).namespace", "must be a namespace name, not \"\(source.namespace)\"")
            }
            switch (source.rollout, source.group) {
            case (nil, nil), (.some, .some):
                fail(at, "must name exactly one of rollout or group")
            case (let name?, nil):
                if !DNSName.isRFC1123Subdomain(name) { fail("\(at).rollout", "must be a Rollout name, not \"\(name)\"") }
            case (nil, let name?):
                if !DNSName.isRFC1123Subdomain(name) { fail("\(at).group", "must be a ReleaseGroup name, not \"\(name)\"") }
            }
            if let secret = source.kubeconfigSecret {
                if !DNSName.isRFC1123Subdomain(secret.name) { fail("\(at).kubeconfigSecret.name", "must be a Secret name, not \"\(secret.name)\"") }
                if secret.key.isEmpty { fail("\(at).kubeconfigSecret.key", "must name the Secret's key holding the kubeconfig") }
            }
        }
        if let soak, DurationText.seconds(soak) == nil {
            fail("\(path).soak", "must be a duration like 30s, 5m or 1h30m, not \"\(soak)\"")
        }
        if let match, PromotionMatch(rawValue: match) == nil {
            fail("\(path).match", "must be one of \(PromotionMatch.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(match)\"")
        }
    }

    /// The problems of ``validate(at:_:)``, collected.
    func errors(at path: String) -> [ValidationError] {
        var errors: [ValidationError] = []
        validate(at: path) { errors.append(ValidationError(field: $0, message: $1)) }
        return errors
    }
}
