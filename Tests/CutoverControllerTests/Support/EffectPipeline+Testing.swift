@testable import CutoverController
import KubeRuntime

extension EffectPipeline {
    /// Gives `outcomes` to the next take of `key` as if its work had just finished.
    func deliver(_ outcomes: [Work.Outcome], for key: ObjectKey) { inbox.append(outcomes, for: key) }

    /// Whether work with `id` is waiting or running.
    func isPending(_ id: Work.ID) -> Bool { known.contains(id) }
}
