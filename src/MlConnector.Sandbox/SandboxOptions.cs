using MlConnector.Sandbox.BusinessCentral;
using MlConnector.Sandbox.Entra;
using MlConnector.Sandbox.Identity;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Sandbox;

/// <summary>Everything the sandbox can be started with. Defaults describe a healthy, empty-ish sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>BC customers to seed (each with financial details, company contact and about 2.5 person contacts).</summary>
    public int Customers { get; set; } = 50;

    /// <summary>
    /// BC companies in the environment, each seeded with <see cref="Customers"/> customers numbered from C00001 (so the
    /// numbers overlap, as in every CRONUS company). The first is <see cref="BusinessCentralOptions.CompanyName"/>.
    /// </summary>
    public int Companies { get; set; } = 1;

    /// <summary>Seed for the deterministic data generator and for percentage faults.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Leads that marketing created in Marketo before the connector ran; some match BC contacts by email.</summary>
    public int MarketoLeads { get; set; }

    /// <summary>Companies an earlier import left in Marketo (externalCompanyId SEED-000001...), for scale measurements.</summary>
    public int MarketoCompanies { get; set; }

    /// <summary>HTTP port for BC, Marketo and admin; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>HTTPS port for the Entra token endpoint (and every other route too); 0 picks a free one.</summary>
    public int HttpsPort { get; set; }

    public EntraOptions Entra { get; } = new();

    public BusinessCentralOptions BusinessCentral { get; } = new();

    public MarketoOptions Marketo { get; } = new();

    /// <summary>The Azure Automation account's managed identities and identity endpoint.</summary>
    public ManagedIdentityOptions ManagedIdentity { get; } = new();
}
