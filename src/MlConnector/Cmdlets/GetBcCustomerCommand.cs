using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Reads Business Central customers, streaming each page's records as it arrives.</summary>
[Cmdlet(VerbsCommon.Get, "BcCustomer")]
[OutputType(typeof(BcCustomer))]
public sealed class GetBcCustomerCommand : ConnectedCmdlet
{
    private readonly List<string> _numbers = new();

    [Parameter]
    public DateTimeOffset? ModifiedSince { get; set; }

    /// <summary>Customer numbers; binds from a Number, CustomerNumber or No column (Import-Csv).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CustomerNumber", "No")]
    [ValidateNotNullOrEmpty]
    public string[]? Number { get; set; }

    /// <summary>Adds Balance, TotalSalesExcludingTax and OverdueAmount.</summary>
    [Parameter]
    public SwitchParameter IncludeFinancialDetails { get; set; }

    protected override void ProcessRecord()
    {
        if (Number is not null) _numbers.AddRange(Number);
    }

    // One query for every number piped in: the engine batches them into few OData filters.
    protected override void EndProcessing()
    {
        var session = RequireBusinessCentral();
        var progress = new PageProgress(this, "Reading Business Central customers", "customers");
        var query = new BcCustomerQuery
        {
            ModifiedSince = ModifiedSince,
            Numbers = _numbers.Count > 0 ? _numbers.Distinct(StringComparer.OrdinalIgnoreCase).ToArray() : null,
            IncludeFinancialDetails = IncludeFinancialDetails,
            OnPage = progress.Report,
        };
        RunPumped(async cancel =>
        {
            await foreach (var customer in session.Client.GetCustomersAsync(query, cancel).ConfigureAwait(false))
                QueueObject(customer);
        });
        progress.Complete();
    }
}
