using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Connections;
using MlConnector.Engine.Marketo;

namespace MlConnector.Connections;

/// <summary>Converts between saved profiles and engine settings (both ways), for Connect-Ml* and Test-MlConnection -Profile.</summary>
internal static class ProfileSettings
{
    public static BusinessCentralSettings ToSettings(BusinessCentralProfile saved) => new()
    {
        TenantId = saved.TenantId,
        ClientId = saved.ClientId,
        Environment = saved.Environment,
        Company = saved.Company,
        BaseUri = saved.BaseUri ?? BusinessCentralSettings.DefaultBaseUri,
        AuthorityHost = saved.AuthorityHost ?? BusinessCentralSettings.DefaultAuthorityHost,
        CertificateThumbprint = saved.CertificateThumbprint,
        CompanyKeyPrefix = saved.CompanyKeyPrefix,
    };

    public static BusinessCentralProfile ToProfile(BusinessCentralSettings settings, string vault, string secretName) => new()
    {
        TenantId = settings.TenantId,
        ClientId = settings.ClientId,
        Environment = settings.Environment,
        Company = settings.Company,
        BaseUri = settings.BaseUri,
        AuthorityHost = settings.AuthorityHost,
        CertificateThumbprint = settings.CertificateThumbprint,
        CompanyKeyPrefix = settings.CompanyKeyPrefix,
        Vault = vault,
        SecretName = secretName,
    };

    public static MarketoSettings ToSettings(MarketoProfile saved) => new()
    {
        MunchkinId = saved.MunchkinId,
        ClientId = saved.ClientId,
        BaseUri = saved.BaseUri,
        IdentityUri = saved.IdentityUri,
        CallsPer20Seconds = saved.CallsPer20Seconds ?? 50,
        MaxConcurrency = saved.MaxConcurrency ?? 5,
        DailyCallBudget = saved.DailyCallBudget,
    };

    public static MarketoProfile ToProfile(MarketoSettings settings, string vault, string secretName) => new()
    {
        MunchkinId = settings.MunchkinId,
        ClientId = settings.ClientId,
        BaseUri = settings.BaseUri,
        IdentityUri = settings.IdentityUri,
        CallsPer20Seconds = settings.CallsPer20Seconds,
        MaxConcurrency = settings.MaxConcurrency,
        DailyCallBudget = settings.DailyCallBudget,
        Vault = vault,
        SecretName = secretName,
    };
}
