using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Reads Business Central contacts, streaming each page's records as it arrives.</summary>
[Cmdlet(VerbsCommon.Get, "BcContact")]
[OutputType(typeof(BcContact))]
public sealed class GetBcContactCommand : ConnectedCmdlet
{
    private readonly List<string> _customerNumbers = new();

    [Parameter]
    public DateTimeOffset? ModifiedSince { get; set; }

    /// <summary>Only contacts of these customers; binds from a CustomerNumber or Number column (Get-BcCustomer, Import-Csv).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Number", "No")]
    [ValidateNotNullOrEmpty]
    public string[]? CustomerNumber { get; set; }

    protected override void ProcessRecord()
    {
        if (CustomerNumber is not null) _customerNumbers.AddRange(CustomerNumber);
    }

    protected override void EndProcessing()
    {
        var session = RequireBusinessCentral();
        var progress = new PageProgress(this, "Reading Business Central contacts", "contacts");
        var query = new BcContactQuery
        {
            ModifiedSince = ModifiedSince,
            CustomerNumbers = _customerNumbers.Count > 0 ? _customerNumbers.Distinct(StringComparer.OrdinalIgnoreCase).ToArray() : null,
            OnPage = progress.Report,
        };
        RunPumped(async cancel =>
        {
            await foreach (var contact in session.Client.GetContactsAsync(query, cancel).ConfigureAwait(false))
                QueueObject(contact);
        });
        progress.Complete();
    }
}
