/// What an action writes and what the controller will do about it.
public struct ActionPlan: Sendable, Hashable {
    /// The annotation key.
    public var annotation: String
    /// The value to set, `nil` to remove the annotation.
    public var value: String?
    /// What the controller will do, for the user.
    public var next: String
}
