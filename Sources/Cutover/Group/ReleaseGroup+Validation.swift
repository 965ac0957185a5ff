import KubeModels

extension ReleaseGroup {
    /// Every problem with this group's spec, in field order; empty when it is valid. Checks what
    /// the CRD schema cannot (a member named in two waves) and repeats what it can.
    public func validate() -> [ValidationError] {
        var errors: [ValidationError] = []
        func fail(_ field: String, _ message: String) { errors.append(ValidationError(field: field, message: message)) }
        if let approval = spec.approval, approval != "Automatic", approval != "Manual" {
            fail("spec.approval", "must be Automatic or Manual, not \"\(approval)\"")
        }
        var seen: [String: Int] = [:]
        for (waveIndex, wave) in (spec.waves ?? []).enumerated() {
            for (index, member) in wave.enumerated() {
                let path = "spec.waves[\(waveIndex)][\(index)]"
                if member.utf8.count > 63 || !DNSName.isRFC1123Label(member) {
                    fail(path, "must be the name of a Rollout, not \"\(member)\"")
                } else if let earlier = seen[member] {
                    fail(path, "\(member) is already in wave \(earlier); a member cuts over in one wave")
                } else {
                    seen[member] = waveIndex
                }
            }
        }
        if let limit = spec.releaseHistoryLimit, !(1...RolloutSpec.maxReleaseHistoryLimit).contains(limit) {
            fail("spec.releaseHistoryLimit", "must be between 1 and \(RolloutSpec.maxReleaseHistoryLimit), not \(limit)")
        }
        RolloutSpec.validateNotifications(spec.notifications ?? [], fail)
        spec.promotion?.validate(at: "spec.promotion", fail)
        return errors
    }
}
