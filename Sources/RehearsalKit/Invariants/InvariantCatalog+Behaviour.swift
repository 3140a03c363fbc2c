extension InvariantCatalog {
    /// The invariants about the application's behaviour and the deployment's services.
    static var behaviourInvariants: [any Invariant] {
        [
            GateEnforcedInvariant(),
            NoOverduePendingInvariant(),
            TracesNoPIIInvariant(),
            ViewerNoPIIInvariant(),
            ExpirationHealthyInvariant(),
            EndpointsHealthyInvariant(),
            DeployOrderInvariant(),
        ]
    }
}
