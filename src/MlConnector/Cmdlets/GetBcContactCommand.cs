using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Reads Business Central contacts, streaming each page's records as it arrives.</summary>
[Cmdlet(VerbsCommon.Get, "BcContact")]
[OutputType(typeof(BcContact))]
public sealed class GetBcContactCommand : ConnectedCmdlet
{
    private readonly CustomerNumberInput _input = new();
    private bool _piped;

    [Parameter]
    public DateTimeOffset? ModifiedSince { get; set; }

    /// <summary>Only contacts of these customers (case does not matter: BC keeps numbers in upper case).</summary>
    [Parameter(Position = 0)]
    [Alias("Number", "No")]
    [ValidateNotNullOrEmpty]
    public string[]? CustomerNumber { get; set; }

    /// <summary>Customer numbers, customers, or rows with a customer number column (Get-BcCustomer, Import-Csv).</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    protected override void BeginProcessing()
    {
        foreach (var number in CustomerNumber ?? []) _input.Add(number);
        if (ModifiedSince is { } since && since > DateTimeOffset.Now)
            WriteWarning($"-ModifiedSince {since:u} is in the future, so no contact can have changed since then. Did you mean (Get-Date).AddDays(-1)?");
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _piped = true;
        if (!_input.TryAdd(InputObject)) WriteError(CustomerNumberInput.NoNumber(InputObject, ErrorIdPrefix));
    }

    protected override void EndProcessing()
    {
        if (_piped && _input.IsEmpty) return; // every piped object was refused: reading every contact instead would surprise
        if (_input.Patterns is { } patterns)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new ArgumentException($"Get-BcContact takes exact customer numbers; '{patterns.First()}' is a pattern."),
                ErrorIdPrefix + "WildcardNotSupported", ErrorCategory.InvalidArgument, patterns.First().Pattern,
                "Find the customers first: Get-BcCustomer -Number 'C0*' | Get-BcContact."));
        }
        var session = RequireBusinessCentral();
        var progress = new PageProgress(this, "Reading Business Central contacts", "contacts");
        var query = new BcContactQuery
        {
            ModifiedSince = ModifiedSince,
            CustomerNumbers = _input.Numbers,
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
