namespace MlConnector.Sandbox.Identity;

/// <summary>
/// The simulated Azure Automation account's managed identities and the switches of its identity endpoint
/// (what a job sees as IDENTITY_ENDPOINT and IDENTITY_HEADER). Behaviour the vendor documentation does not
/// state is a switch here, with the default named in docs/sandbox.md.
/// </summary>
public sealed class ManagedIdentityOptions
{
    /// <summary>The Automation account's name, as the documented "no managed identity" error names it.</summary>
    public string AutomationAccount { get; set; } = "mlconnector-automation";

    public string SubscriptionId { get; set; } = "5c0e7f63-2a4d-4a9b-8f1e-3d6b9c2a7e10";

    public string ResourceGroup { get; set; } = "mlconnector-rg";

    /// <summary>The IDENTITY_HEADER value a job is given (the platform rotates it); X-IDENTITY-HEADER must carry it.</summary>
    public string IdentityHeader { get; set; } = Guid.NewGuid().ToString();

    /// <summary>Whether the account's system-assigned identity is enabled (off: 400 "No managed identity was found...").</summary>
    public bool SystemAssigned { get; set; } = true;

    /// <summary>Client (application) id of the system-assigned identity.</summary>
    public string SystemClientId { get; set; } = "0b6f3c2e-91d4-4e57-a8c3-6d2f1e9b7a54";

    /// <summary>Principal (object) id of the system-assigned identity.</summary>
    public string SystemPrincipalId { get; set; } = "e3a1c7d9-5f28-4b6e-9c04-8a7d2b1f6e35";

    /// <summary>User-assigned identities attached to the account, chosen by client_id, principal_id/object_id or mi_res_id.</summary>
    public List<AutomationIdentity> UserAssigned { get; } = new();

    /// <summary>Lifetime of an issued token. Not documented for Automation; managed-identity tokens commonly live about a day.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Automation's documentation says the Metadata header "must be present" and "true"; whether the endpoint enforces it is not stated. On by default.</summary>
    public bool RequireMetadataHeader { get; set; } = true;

    /// <summary>Status for a missing or wrong X-IDENTITY-HEADER. Not documented; 400 like the documented identity errors.</summary>
    public int IdentityHeaderRejectionStatus { get; set; } = 400;

    /// <summary>The Azure resource id of the Automation account (the system identity's xms_mirid claim).</summary>
    public string AccountResourceId => $"/subscriptions/{SubscriptionId}/resourcegroups/{ResourceGroup}/providers/Microsoft.Automation/automationAccounts/{AutomationAccount}";
}

/// <summary>A managed identity of the account (system- or user-assigned): its client id, principal (object) id and Azure resource id.</summary>
public sealed record AutomationIdentity(string ClientId, string PrincipalId, string ResourceId);
