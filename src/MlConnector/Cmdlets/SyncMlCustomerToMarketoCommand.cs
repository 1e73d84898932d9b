using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Syncs BC customers (and their person contacts) into Marketo companies and leads: the piped customers, rows
/// with a customer number, -Number, or with no input everything changed since the checkpoint. Input that is not a
/// customer or contact is refused per item; -WhatIf plans with read-only calls and emits the plan instead.
/// </summary>
[Cmdlet(VerbsData.Sync, "MlCustomerToMarketo", SupportsShouldProcess = true)]
[OutputType(typeof(SyncResult), typeof(SyncPlanRow))]
public sealed class SyncMlCustomerToMarketoCommand : LeadSyncCmdlet
{
    private readonly List<BcCustomer> _customers = new();
    private readonly List<string> _numbers = new();
    private readonly HashSet<string> _found = new(StringComparer.OrdinalIgnoreCase);
    private bool _sawInput;

    /// <summary>BC customers (Get-BcCustomer), contacts (their customer is synced), or rows with a Number, CustomerNumber or No property.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>Customer numbers to sync (piped rows bind through -InputObject, so each can be checked first).</summary>
    [Parameter(Position = 0)]
    [Alias("CustomerNumber", "No")]
    [ValidateNotNullOrEmpty]
    public string[]? Number { get; set; }

    /// <summary>With no input: re-read every customer's financial figures and send what changed.</summary>
    [Parameter]
    public SwitchParameter RefreshFinancials { get; set; }

    /// <summary>Sends every record covered whatever was sent before (the content hashes are ignored); with no input, re-reads everything.</summary>
    [Parameter]
    public SwitchParameter Resync { get; set; }

    /// <summary>A .json or .psd1 mapping file applied on top of the default map.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    protected override void BeginProcessing()
    {
        if (Number is null) return;
        _sawInput = true;
        _numbers.AddRange(Number.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()));
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        _sawInput = true;
        Accept(InputObject);
    }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        if (_sawInput && _customers.Count == 0 && _numbers.Count == 0)
        {
            WriteVerbose("Nothing to sync: no input was a Business Central customer or contact.");
            return;
        }
        var request = Request();
        var target = $"Marketo {connection.MarketoMunchkinId} from Business Central {connection.BusinessCentralCompany}";
        var action = _sawInput
            ? $"Sync {DistinctCount()} customer(s) and their contacts"
            : Resync ? (RefreshFinancials ? "Re-send every customer (resync)" : "Re-send every customer and contact (resync)")
            : RefreshFinancials ? "Sync every customer's financial figures and changed contacts" : "Sync customers and contacts changed since the last run";
        var go = ShouldProcessRun(target, action, out var whatIf);
        if (!go && !whatIf) return;

        using var store = OpenState(createIfMissing: !whatIf);
        var progress = new SyncProgressReporter(this);
        var crmSkipped = 0;
        try
        {
            var pair = PairOf(connection);
            RunForPair(connection, store, pair, whatIf, progress, async (context, cancel) =>
            {
                var sync = CustomerSync(context, mapping, pair);
                if (whatIf)
                {
                    await foreach (var row in sync.PlanAsync(request, cancel).ConfigureAwait(false)) QueueObject(Found(row.SourceType, row.SourceNumber, row));
                    return;
                }
                await foreach (var result in sync.RunAsync(request, cancel).ConfigureAwait(false))
                {
                    if (result.Reason == SyncReasons.CrmSyncEnabled) crmSkipped++;
                    QueueObject(Found(result.SourceType, result.SourceNumber, result));
                }
            });
        }
        finally
        {
            progress.Complete();
        }
        ReportMissing();
        if (crmSkipped > 0 && !WarnedAboutCrmSync)
            WriteWarning($"Marketo Companies are read-only on this instance (CRM sync): {crmSkipped} company write(s) were skipped (CrmSyncEnabled); leads were still written.");
    }

    /// <summary>Remembers which customers the run reported on, so numbers that matched none can be named.</summary>
    private object Found(string sourceType, string sourceNumber, object row)
    {
        if (sourceType == "Customer") lock (_found) _found.Add(sourceNumber);
        return row;
    }

    private void ReportMissing()
    {
        foreach (var number in _numbers.Distinct(StringComparer.OrdinalIgnoreCase).Where(n => !_found.Contains(n)))
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"No Business Central customer has number '{number}'."),
                ErrorIdPrefix + "CustomerNotFound", ErrorCategory.ObjectNotFound, number, "Check the number with Get-BcCustomer -Number."));
        }
    }

    private void Accept(PSObject input)
    {
        var (kind, reason) = SyncInput.Classify(input);
        if (kind == SourceKind.Rejected)
        {
            WriteError(ErrorRecords.Create(new InvalidDataException(reason), ErrorIdPrefix + "NotPeopleOrAccount", ErrorCategory.InvalidData, input,
                "Pipe Business Central customers or contacts (Get-BcCustomer, Get-BcContact) or rows with their numbers."));
            return;
        }
        if (input.BaseObject is BcCustomer customer)
        {
            _customers.Add(customer);
            return;
        }
        var number = SyncInput.CustomerNumberOf(input, kind);
        if (number is null)
        {
            var why = kind == SourceKind.Contact
                ? "The contact belongs to no customer, so there is no account to sync it with; link it to a customer in Business Central."
                : "The input has no customer number.";
            WriteError(ErrorRecords.Create(new InvalidDataException(why), ErrorIdPrefix + (kind == SourceKind.Contact ? "ContactWithoutCustomer" : "NoCustomerNumber"),
                ErrorCategory.InvalidData, input, kind == SourceKind.Contact ? "Link the contact to a customer in Business Central." : "Give each row a Number, CustomerNumber or No column."));
            return;
        }
        _numbers.Add(number);
    }

    // Customer objects are used as they are only when nothing else was given (the engine takes one kind).
    private CustomerSyncRequest Request()
    {
        if (!_sawInput) return new CustomerSyncRequest { RefreshFinancials = RefreshFinancials, Resync = Resync, BulkImportThreshold = BulkImportFrom };
        if (_numbers.Count == 0)
            return new CustomerSyncRequest { Customers = _customers.GroupBy(c => c.Number, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList(), Resync = Resync, BulkImportThreshold = BulkImportFrom };
        return new CustomerSyncRequest { CustomerNumbers = AllNumbers(), Resync = Resync, BulkImportThreshold = BulkImportFrom };
    }

    private string[] AllNumbers() => _numbers.Concat(_customers.Select(c => c.Number)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    private int DistinctCount() => AllNumbers().Length;
}
