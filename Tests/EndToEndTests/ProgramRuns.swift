import Testing

/// The runs of the hack/ programs (`cutover-fuzz`, `cutover-chaos`): each drives a controller hard
/// for minutes and judges it against deadlines, so they run one after another (beside the end-to-end
/// cases, which mostly wait), never two at once on a 2-core machine.
@Suite("Runs of the hack/ programs", .serialized)
enum ProgramRuns {}
