using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// The Business Central customer a batch's leads go under, or whose Marketo-owned fields they update: an existing one,
/// or a new one shared by every lead of the same company in the batch (created once, with a deterministic id).
/// </summary>
internal sealed class CustomerPlan
{
    public required Guid Id { get; init; }

    /// <summary>As read; null for a customer to create.</summary>
    public BcRow? Existing { get; set; }

    public bool IsNew => Existing is null;

    /// <summary>The existing number, or the new one once Business Central has assigned it.</summary>
    public string? Number { get; set; }

    /// <summary>Create: every mapped field with a value. Update: the Marketo-owned fields that differ.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public List<FieldChange> Changes { get; } = new();

    /// <summary>The lead the customer's own result is reported with (the first in the batch that needs it).</summary>
    public required long FirstLeadId { get; init; }

    public string? CompanyContactNumber { get; set; }

    /// <summary>Why the customer could not be written (every lead that needs it fails with this).</summary>
    public string? Failure { get; set; }

    public bool Created { get; set; }

    public bool Updated { get; set; }

    public string DisplayName => Values.GetValueOrDefault("displayName") ?? Existing?.Value("displayName") ?? "";
}

/// <summary>What one lead becomes in Business Central, then what became of it.</summary>
internal sealed class LeadPlan
{
    public required MarketoLead Lead { get; init; }

    /// <summary>Decided without writing: Skipped (with the reason) or Unchanged.</summary>
    public SyncResult? Settled { get; set; }

    /// <summary>The customer the new contact goes under, or whose Marketo-owned fields the lead updates.</summary>
    public CustomerPlan? Customer { get; set; }

    /// <summary>The existing person contact (by link or email); null when one is to be created.</summary>
    public BcRow? Contact { get; set; }

    public bool CreatesContact => Settled is null && Contact is null;

    /// <summary>Create: every mapped field with a value. Update: the Marketo-owned fields that differ.</summary>
    public Dictionary<string, string> ContactValues { get; } = new(StringComparer.Ordinal);

    public List<FieldChange> ContactChanges { get; } = new();

    /// <summary>The content hash of the Marketo-owned contact values (kept as the reverse record state once written).</summary>
    public string? ContactHash { get; set; }

    /// <summary>The contact as Business Central answered the write.</summary>
    public BcRow? Written { get; set; }

    public string? Failure { get; set; }
}
