/// A rule's `consequence_of:` key: records of this rule are what another failure leaves behind
/// (an access line, a router cooldown, a DB outage's follow-up), so they join the incident of a
/// recent cause instead of opening one of their own. Without a cause in the window they are an
/// incident of their own, as before.
public struct Consequence: Sendable, Equatable {
    /// How the joined record is shown: `evidence` is the same failure seen again (the access
    /// line a failed request left); `consequence` is something the failure caused.
    public enum Kind: String, Sendable, CaseIterable { case evidence, consequence }

    /// Causes by rule id; either this or `classes` names at least one.
    public var rules: Set<String>
    /// Causes by class.
    public var classes: Set<IncidentClass>
    /// Only causes of these origins (empty: any).
    public var origins: Set<Origin>
    /// Fields both records must carry with the same value (deployment and model-group spellings
    /// of one name are reconciled: `azure/gpt-4o` and `azure-gpt-4o` agree).
    public var same: [String]
    /// Seconds after the cause's last record.
    public var within: Double
    public var kind: Kind

    public init(rules: Set<String> = [], classes: Set<IncidentClass> = [], origins: Set<Origin> = [],
                same: [String] = [], within: Double, kind: Kind = .consequence) {
        self.rules = rules
        self.classes = classes
        self.origins = origins
        self.same = same
        self.within = within
        self.kind = kind
    }
}
