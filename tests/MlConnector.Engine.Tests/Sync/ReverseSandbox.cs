using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The reverse flow over a <see cref="SyncSandbox"/>: read Marketo's changes, then write them to Business Central.</summary>
internal static class ReverseSandbox
{
    /// <summary>Bulk extract polls every 100 ms here (the sandbox finishes a job in about a second).</summary>
    public static LeadReceiveRequest Request(DateTimeOffset? since = null, bool full = false) => new()
    {
        Since = since, Full = full, BulkPollInterval = TimeSpan.FromMilliseconds(100), BulkPollMaximum = TimeSpan.FromMilliseconds(400),
    };

    public static LeadReceiver Receiver(this SyncSandbox sandbox, SyncContext context, MarketoToBcMapping? mapping = null)
        => new(context, new MarketoToBcMapper(mapping ?? MarketoToBcMapping.Default()), new BcToMarketoMapper(MappingLoader.Default()));

    public static LeadToBusinessCentralSync LeadSync(this SyncSandbox sandbox, SyncContext context, MarketoToBcMapping? mapping = null, string? prefix = null,
        IEnumerable<string>? otherPrefixes = null)
        => new(context, new MarketoToBcMapper(mapping ?? MarketoToBcMapping.Default(), prefix, otherPrefixes), new BcToMarketoMapper(MappingLoader.Default(), prefix));

    /// <summary>One reverse pass: the receiver's steps straight into the sync, as Invoke-MlSync -Direction MarketoToBc runs them.</summary>
    public static async Task<List<SyncResult>> RunReverseAsync(this SyncSandbox sandbox, LeadReceiveRequest? request = null, MarketoToBcMapping? mapping = null,
        IProgress<SyncProgress>? progress = null)
    {
        var context = sandbox.Context(progress: progress);
        var receiver = sandbox.Receiver(context, mapping);
        var sync = sandbox.LeadSync(context, mapping);
        return await BcSandbox.ToListAsync(sync.RunAsync(receiver.ReceiveAsync(request ?? Request(), CancellationToken.None), CancellationToken.None));
    }

    /// <summary>Every lead a read hands on, in order.</summary>
    public static async Task<List<MarketoLead>> ReceiveAsync(this SyncSandbox sandbox, LeadReceiveRequest request, SyncContext? context = null)
    {
        var leads = new List<MarketoLead>();
        await foreach (var step in sandbox.Receiver(context ?? sandbox.Context()).ReceiveAsync(request, CancellationToken.None)) leads.AddRange(step.Leads);
        return leads;
    }

    /// <summary>A lead created the way marketing creates one: in the Marketo UI, not through the connector.</summary>
    public static long MarketingLead(this SyncSandbox sandbox, string email, string company, params (string Field, string? Value)[] more)
    {
        var fields = new Dictionary<string, string?> { ["email"] = email, ["firstName"] = "Ada", ["lastName"] = "Quill", ["company"] = company };
        foreach (var (field, value) in more) fields[field] = value;
        return sandbox.Host.Marketo.MarketingCreate(fields);
    }

    /// <summary>BC calls that wrote: a POST, PATCH or DELETE, a $batch (reads go in $batch too: callers clear the journal around what they check).</summary>
    public static IReadOnlyList<JournalEntry> BcWrites(this SyncSandbox sandbox)
        => sandbox.Host.Journal.For(SandboxService.BusinessCentral).Where(e => e.Method is "POST" or "PATCH" or "DELETE").ToArray();

    /// <summary>A progress sink that runs a test's hook synchronously, before the engine goes on.</summary>
    public sealed class Hook(Action<SyncProgress> onReport) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => onReport(value);
    }
}
