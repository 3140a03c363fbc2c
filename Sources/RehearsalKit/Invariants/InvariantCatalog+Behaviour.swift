extension InvariantCatalog {
    /// The approval-gate and trace invariants, which need the application's behaviour.
    static var behaviourInvariants: [any Invariant] { [] }
}
