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

/// <summary>The fields of one Marketo object and its key.</summary>
public sealed record RecordMap(string KeyField, IReadOnlyList<FieldMapping> Fields);

/// <summary>The complete BC → Marketo mapping: companies, leads, and account attributes carried on leads.</summary>
public sealed record MappingSet(RecordMap Company, RecordMap Lead, IReadOnlyList<FieldMapping> LeadAccountFields, LeadAccountFieldsWhen LeadAccountFieldsWhen);
