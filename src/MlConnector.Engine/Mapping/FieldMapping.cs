namespace MlConnector.Engine.Mapping;

/// <summary>
/// One Marketo field filled from one or more BC properties (several are joined with a line break,
/// e.g. address lines into billingStreet).
/// </summary>
public sealed record FieldMapping(string Target, IReadOnlyList<string> Sources)
{
    public override string ToString() => Target + " <- " + string.Join(" + ", Sources);
}

/// <summary>When the customer's account attributes are also written onto its leads' own fields.</summary>
public enum LeadAccountFieldsWhen
{
    /// <summary>Only when Marketo Companies are read-only (CRM sync), so marketers still see them.</summary>
    CompaniesReadOnly,
    Always,
    Never,
}

/// <summary>What is done in Marketo about a lead whose BC contact became Privacy Blocked after it was synced (docs/mapping.md).</summary>
public enum PrivacyBlockedAction
{
    /// <summary>The lead is set unsubscribed and every field the mapping writes, except its email, is cleared.</summary>
    Unsubscribe,

    /// <summary>The lead is deleted (Marketo's Delete Leads).</summary>
    DeleteLead,
}

/// <summary>Whether a customer blocked for all transactions in BC (Blocked = All) becomes a Marketo company.</summary>
public enum BlockedCustomerAction
{
    /// <summary>Not sent: Skipped with reason CustomerBlocked.</summary>
    Skip,
    Send,
}

/// <summary>The fields of one Marketo object and its key.</summary>
public sealed record RecordMap(string KeyField, IReadOnlyList<FieldMapping> Fields);

/// <summary>The complete BC → Marketo mapping: companies, leads, and account attributes carried on leads.</summary>
public sealed record MappingSet(RecordMap Company, RecordMap Lead, IReadOnlyList<FieldMapping> LeadAccountFields, LeadAccountFieldsWhen LeadAccountFieldsWhen)
{
    /// <summary>The lead section's whenPrivacyBlocked: what becomes of a synced lead whose contact is now Privacy Blocked.</summary>
    public PrivacyBlockedAction WhenPrivacyBlocked { get; init; } = PrivacyBlockedAction.Unsubscribe;

    /// <summary>The company section's whenBlocked: whether customers with Blocked = All are sent.</summary>
    public BlockedCustomerAction WhenCustomerBlocked { get; init; } = BlockedCustomerAction.Skip;
}
