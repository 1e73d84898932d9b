namespace MlConnector.Engine.Mapping;

/// <summary>The stable first words of the reasons Marketo → Business Central results and audit lines carry.</summary>
public static class LeadReasons
{
    /// <summary>The lead does not meet the qualification (no company, no valid email, the marketing field not set).</summary>
    public const string NotQualified = "NotQualified";

    /// <summary>The lead's externalCompanyId belongs to another sync pair (company key prefix).</summary>
    public const string OtherPair = "OtherPair";

    /// <summary>A value is longer than the Business Central field holds.</summary>
    public const string ValueTooLong = "ValueTooLong";

    /// <summary>The country is neither a country/region code nor a name Business Central knows.</summary>
    public const string UnknownCountry = "UnknownCountry";

    /// <summary>The lead's externalCompanyId names no Business Central customer (deleted, or never one).</summary>
    public const string CustomerNotFound = "CustomerNotFound";

    /// <summary>Several Business Central person contacts have the lead's email: which one it is cannot be told.</summary>
    public const string DuplicateEmail = "DuplicateEmail";

    /// <summary>The lead changed in Marketo but was deleted before it could be read.</summary>
    public const string LeadDeleted = "LeadDeleted";

    /// <summary>The customer has no company contact in Business Central, so no person contact can be placed under it.</summary>
    public const string NoCompanyContact = "NoCompanyContact";

    /// <summary>The record changed in Business Central again after it was re-read for a stale ETag (409): parked.</summary>
    public const string Conflict = "Conflict";

    /// <summary>The lead has no Marketo id (input that did not come from Marketo).</summary>
    public const string NoMarketoId = "NoMarketoId";
}
