/// What makes a scenario a drill: the fault it hides, the plan 6.1's decision tree prescribes
/// (or `none` when the right answer is not to roll back), what must hold again, and hints.
public struct Incident: Sendable {
    public var title: String
    /// The fault struck by the setup's last `fault:` step; hidden from the trainee.
    public var fault: String
    /// A, B, C, D, E, full, or none.
    public var plan: String
    /// Invariants that must not be broken when the trainee says `done` (holding, or not
    /// applicable because nothing is exposed any more).
    public var mustHold: [String]
    /// The revision the schema must be back at (`schema.revision` is graded against it).
    public var revision: String?
    public var hints: [String]
    /// The symptom the pager shows at the start.
    public var page: String
    /// What 6.1's decision tree prescribes for the symptom, when the better answer (`plan`)
    /// differs; following it is not marked wrong, and `why` explains the difference.
    public var checklistPlan: String?
    public var why: String?
}
