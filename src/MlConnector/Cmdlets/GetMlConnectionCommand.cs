using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>Shows the services a connection is bound to, one flat row per service (and the state store it names, if any).</summary>
[Cmdlet(VerbsCommon.Get, "MlConnection")]
[OutputType(typeof(MlConnectionInfo))]
public sealed class GetMlConnectionCommand : ConnectedCmdlet
{
    protected override void EndProcessing()
    {
        var connection = Connection ?? DefaultConnection.Current;
        if (connection is null) return;
        if (connection.BusinessCentral is { } bc)
        {
            WriteObject(new MlConnectionInfo
            {
                Service = "BusinessCentral",
                Profile = bc.ProfileName,
                TenantId = bc.Settings.TenantId,
                ClientId = bc.Settings.ClientId,
                Environment = bc.Settings.Environment,
                Company = bc.Client.Company.Name,
                BaseUri = bc.Settings.BaseUri.AbsoluteUri,
                ConnectedAt = bc.ConnectedAt,
                TokenExpiresOn = bc.TokenExpiresOn,
                CertificateThumbprint = bc.Credential.CertificateThumbprint,
            });
        }
        if (connection.Marketo is { } marketo)
        {
            WriteObject(new MlConnectionInfo
            {
                Service = "Marketo",
                Profile = marketo.ProfileName,
                MunchkinId = marketo.Settings.MunchkinId,
                ClientId = marketo.Settings.ClientId,
                BaseUri = marketo.Settings.BaseUri?.AbsoluteUri ?? $"https://{marketo.Settings.MunchkinId}.mktorest.com/",
                ConnectedAt = marketo.ConnectedAt,
                TokenExpiresOn = marketo.TokenExpiresOn,
                CompaniesWritable = marketo.Client.CompaniesWritable,
            });
        }
        if (connection.StateStore is { } stateStore)
            WriteObject(new MlConnectionInfo { Service = "StateStore", BaseUri = stateStore });
    }
}
