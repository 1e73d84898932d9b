using System.Collections;
using System.Management.Automation;
using System.Security;
using MlConnector.Connections;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// The notification endpoint for any host — an Azure Functions PowerShell HTTP trigger, a script behind a reverse
/// proxy: given one request (method, query, headers, body) it answers Business Central's validation handshake, checks
/// each notification's subscription and clientState against the state store's (every pair's), queues one job per
/// changed entity for the pair that owns the subscription, queues a filtered re-read for a collection notification,
/// audits deletions and rejections, and returns the answer to send. It reads nothing from Business Central: the next
/// Invoke-MlSync (or a listener's worker) fetches and upserts.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "BcNotification", SupportsShouldProcess = true, DefaultParameterSetName = PartsSet)]
[OutputType(typeof(NotificationReceipt))]
public sealed class ReceiveBcNotificationCommand : AsyncCmdlet
{
    private const string PartsSet = "Parts";
    private const string RequestSet = "Request";

    /// <summary>A request object with Method, Query, Headers and RawBody (or Body): the $Request of an Azure Functions HTTP trigger.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = RequestSet)]
    [ValidateNotNull]
    public PSObject Request { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PartsSet)]
    [ValidateNotNullOrEmpty]
    public string Method { get; set; } = "";

    /// <summary>The query: a dictionary of decoded parameters, or the raw query string ("?validationToken=...").</summary>
    [Parameter(ParameterSetName = PartsSet)]
    public object? Query { get; set; }

    [Parameter(ParameterSetName = PartsSet)]
    public IDictionary? Headers { get; set; }

    /// <summary>The raw body text.</summary>
    [Parameter(ParameterSetName = PartsSet)]
    [AllowEmptyString]
    public string? Body { get; set; }

    /// <summary>The clientState of subscriptions registered with your own -ClientState and no vault.</summary>
    [Parameter]
    public SecureString? ClientState { get; set; }

    /// <summary>The SQLite state database; default &lt;home&gt;/state/mlconnector.db.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary>
    /// The state store: a SQLite file, https://&lt;account&gt;.table.core.windows.net (managed identity) or vault:&lt;vault&gt;/&lt;secret&gt;;
    /// default: the connection's (Connect-MlStateStore), else the SQLite database in the home.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateStore { get; set; }

    /// <summary>The folder of the JSONL audit trail; default &lt;home&gt;/audit, or the audit table of a table state store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuditPath { get; set; }

    protected override void ProcessRecord()
    {
        var request = ParameterSetName == RequestSet ? FromRequestObject(Request) : NotificationRequest.FromParts(Method, QueryPairs(Query), Pairs(Headers), Body);
        var reference = StateStoreSelection.Resolve(this, StateStore, StatePath, DefaultConnection.Current, ErrorIdPrefix);
        IStateStore store;
        try
        {
            store = StateStoreSelection.OpenOrThrow(this, reference, ErrorIdPrefix);
        }
        catch (StateStoreException e)
        {
            // No store, no subscriptions to check against: Business Central must deliver again later.
            WriteError(ErrorRecords.From(e, ErrorIdPrefix, reference.ToString()));
            WriteObject(new NotificationReceipt { StatusCode = 503, ContentType = "text/plain; charset=utf-8", Body = "", Headers = new Dictionary<string, string>(), Kind = "Unavailable", Failure = e.Message });
            return;
        }
        using (store)
        {
            var subscriptions = StoredSubscriptions.ReadAll(store);
            var states = ClientStates.For(this, ErrorIdPrefix, ClientState);
            var known = new StoredSubscriptions(() => subscriptions, states.ResolveAll(subscriptions.Select(s => s.Record.ClientState)), TimeProvider.System, EngineLog);
            var receiver = new NotificationReceiver(known, store, new object(), StateStoreSelection.AuditFor(this, store, AuditPath), TimeProvider.System, EngineLog);
            NotificationReceipt? receipt = null;
            RunPumped(async cancel =>
            {
                var decision = await receiver.DecideAsync(request, cancel).ConfigureAwait(false);
                var queues = decision.Changes.Count + decision.Collections.Count + decision.Deletions.Count + decision.Rejected.Count;
                receipt = decision.Kind == NotificationResultKind.ValidationHandshake || queues == 0
                    || await ShouldProcessAsync($"the state store {store.Location}", $"Queue {decision.Changes.Count} changed entit(ies) and {decision.Collections.Count} re-read(s); audit {decision.Deletions.Count} deletion(s) and {decision.Rejected.Count} rejection(s)").ConfigureAwait(false)
                    ? receiver.Accept(decision)
                    : receiver.Describe(decision);
            });
            if (receipt is not null) WriteObject(receipt);
        }
    }

    /// <summary>An Azure Functions HttpRequestContext (or any object with the same properties).</summary>
    private static NotificationRequest FromRequestObject(PSObject request)
    {
        string? Text(string name) => request.Properties[name]?.Value switch
        {
            null => null,
            PSObject { BaseObject: string s } => s,
            string s => s,
            var other => other.ToString(),
        };
        var body = Text("RawBody") ?? (request.Properties["Body"]?.Value is string plain ? plain : null);
        return NotificationRequest.FromParts(Text("Method") ?? "POST", QueryPairs(request.Properties["Query"]?.Value), Pairs(Unwrap(request.Properties["Headers"]?.Value) as IDictionary), body);
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static IEnumerable<KeyValuePair<string, string>>? QueryPairs(object? query) => Unwrap(query) switch
    {
        null => null,
        string raw => NotificationRequest.ParseQuery(raw),
        IDictionary dictionary => Pairs(dictionary),
        _ => null,
    };

    private static IEnumerable<KeyValuePair<string, string>>? Pairs(IDictionary? dictionary)
        => dictionary?.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string>(e.Key?.ToString() ?? "", Unwrap(e.Value)?.ToString() ?? "")).ToArray();
}
