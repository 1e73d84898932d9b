using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Reads Business Central customers, streaming each page's records as it arrives.</summary>
[Cmdlet(VerbsCommon.Get, "BcCustomer")]
[OutputType(typeof(BcCustomer))]
public sealed class GetBcCustomerCommand : ConnectedCmdlet
{
    /// <summary>The type name the financial view is keyed on: customers read with -IncludeFinancialDetails.</summary>
    public const string WithFinancialsTypeName = "MlConnector.Engine.BusinessCentral.BcCustomer#Financials";

    private readonly CustomerNumberInput _input = new();
    private bool _piped;

    [Parameter]
    public DateTimeOffset? ModifiedSince { get; set; }

    /// <summary>Customer numbers or wildcard patterns (* and ?); case does not matter (BC keeps numbers in upper case).</summary>
    [Parameter(Position = 0)]
    [Alias("CustomerNumber", "No")]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Number { get; set; }

    /// <summary>Customer numbers, customers, contacts, or rows with a customer number column (Import-Csv).</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Adds Balance, TotalSalesExcludingTax and OverdueAmount.</summary>
    [Parameter]
    public SwitchParameter IncludeFinancialDetails { get; set; }

    protected override void BeginProcessing()
    {
        foreach (var number in Number ?? []) _input.Add(number);
        if (ModifiedSince is { } since && since > DateTimeOffset.Now)
            WriteWarning($"-ModifiedSince {since:u} is in the future, so no customer can have changed since then. Did you mean (Get-Date).AddDays(-1)?");
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _piped = true;
        if (!_input.TryAdd(InputObject)) WriteError(CustomerNumberInput.NoNumber(InputObject, ErrorIdPrefix));
    }

    // One query for every number piped in: the engine batches them into few OData filters.
    protected override void EndProcessing()
    {
        if (_piped && _input.IsEmpty) return; // every piped object was refused: reading every customer instead would surprise
        var session = RequireBusinessCentral();
        var progress = new PageProgress(this, "Reading Business Central customers", "customers");
        var query = new BcCustomerQuery
        {
            ModifiedSince = ModifiedSince,
            Numbers = _input.Numbers,
            NumberPatterns = _input.Patterns,
            IncludeFinancialDetails = IncludeFinancialDetails,
            OnPage = progress.Report,
        };
        var found = new List<string>();
        RunPumped(async cancel =>
        {
            await foreach (var customer in session.Client.GetCustomersAsync(query, cancel).ConfigureAwait(false))
            {
                lock (found) found.Add(customer.Number);
                QueueObject(IncludeFinancialDetails ? WithFinancials(customer) : customer);
            }
        });
        progress.Complete();
        // With -ModifiedSince a number that exists but did not change is not missing.
        if (ModifiedSince is not null) return;
        foreach (var missing in _input.Missing(found))
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"No Business Central customer has number '{missing}'."),
                ErrorIdPrefix + "CustomerNotFound", ErrorCategory.ObjectNotFound, missing,
                "Check the number (Get-BcCustomer -Number 'C*' lists numbers by pattern)."));
        }
    }

    /// <summary>The customer, tagged so the default table shows its balance.</summary>
    private static PSObject WithFinancials(BcCustomer customer)
    {
        var row = PSObject.AsPSObject(customer);
        row.TypeNames.Insert(0, WithFinancialsTypeName);
        return row;
    }
}
