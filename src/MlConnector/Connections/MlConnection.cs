using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;

namespace MlConnector.Connections;

/// <summary>
/// The live connections a cmdlet works with: at most one Business Central and one Marketo. Secrets stay
/// internal (Test-MlConnection needs them to ping with fresh tokens); only descriptive properties are public.
/// </summary>
public sealed class MlConnection
{
    internal BusinessCentralSession? BusinessCentral { get; set; }

    internal MarketoSession? Marketo { get; set; }

    /// <summary>"tenant/environment/company" when connected to Business Central.</summary>
    public string? BusinessCentralCompany => BusinessCentral is { } bc
        ? $"{bc.Settings.TenantId}/{bc.Settings.Environment}/{bc.Client.Company.Name}"
        : null;

    public string? MarketoMunchkinId => Marketo?.Settings.MunchkinId;

    public string? Profile => BusinessCentral?.ProfileName ?? Marketo?.ProfileName;

    /// <summary>The state store sync cmdlets use when given none (Connect-MlStateStore): a reference, never a secret.</summary>
    public string? StateStore { get; internal set; }

    internal MlConnection Copy() => new() { BusinessCentral = BusinessCentral, Marketo = Marketo, StateStore = StateStore };

    public override string ToString() => $"MlConnection(BusinessCentral: {BusinessCentralCompany ?? "-"}, Marketo: {MarketoMunchkinId ?? "-"})";
}

/// <summary>A live Business Central client with what it was made from (Test-MlConnection signs in afresh from these).</summary>
internal sealed record BusinessCentralSession(
    BusinessCentralClient Client, BusinessCentralSettings Settings, BusinessCentralCredential Credential, string? ProfileName, DateTimeOffset ConnectedAt, DateTimeOffset? TokenExpiresOn);

internal sealed record MarketoSession(
    MarketoClient Client, MarketoSettings Settings, SecretText Secret, string? ProfileName, DateTimeOffset ConnectedAt, DateTimeOffset? TokenExpiresOn);

/// <summary>What Test-MlConnection signs in with: from a live session or straight from a saved profile.</summary>
internal sealed record BusinessCentralTarget(BusinessCentralSettings Settings, BusinessCentralCredential Credential, string? ProfileName);

internal sealed record MarketoTarget(MarketoSettings Settings, SecretText Secret, string? ProfileName);
