using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// What a read of changed Marketo leads covers: since the pair's watermark (the default), since <see cref="Since"/>, or
/// everything (<see cref="Full"/>). A -Since further back than <see cref="FeedReach"/>, and -Full, use a Bulk Lead Extract.
/// </summary>
public sealed class LeadReceiveRequest
{
    /// <summary>Read changes from this time, whatever the watermark says.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Import every lead (a bulk extract from <see cref="Since"/>, else from <see cref="FullHistoryStart"/>).</summary>
    public bool Full { get; init; }

    /// <summary>Further Marketo fields to read and hand on (the mapping's are always read).</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    /// <summary>Store the watermark once the leads are handed on; false reads without consuming (-WhatIf).</summary>
    public bool AdvanceWatermark { get; init; } = true;

    /// <summary>How far back the change feed is read page by page; a -Since older than this is a bulk extract.</summary>
    public TimeSpan FeedReach { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Where -Full starts without -Since: the year Marketo began; pass -Since with the instance's start to save windows.</summary>
    public static readonly DateTimeOffset FullHistoryStart = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Bulk extract: one export per window of at most 31 days (Marketo's limit).</summary>
    public TimeSpan BulkWindow { get; init; } = TimeSpan.FromDays(31);

    /// <summary>Overrides the first status poll of a bulk extract, in seconds; meant for tests against the sandbox, whose jobs finish in about a second.</summary>
    public const string BulkPollVariable = "MLCONNECTOR_BULK_POLL_SECONDS";

    /// <summary>
    /// Bulk extract: the first status poll, doubling up to <see cref="BulkPollMaximum"/> (Marketo updates a job's status at
    /// most every 60 s). Default 30 s, or <see cref="BulkPollVariable"/> when it holds a positive number of seconds.
    /// </summary>
    public TimeSpan BulkPollInterval { get; init; } = FromEnvironment() ?? TimeSpan.FromSeconds(30);

    public TimeSpan BulkPollMaximum { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Bulk extract: a job not finished after this long is cancelled and the read fails.</summary>
    public TimeSpan BulkJobTimeout { get; init; } = TimeSpan.FromHours(6);

    private static TimeSpan? FromEnvironment()
        => double.TryParse(Environment.GetEnvironmentVariable(BulkPollVariable), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
           && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>Bulk extract: bytes per Range request of the file.</summary>
    public int BulkChunkBytes { get; init; } = 8 << 20;
}

/// <summary>
/// Leads handed on by one step of a read, and the leads of that step that were skipped (deleted between the change feed
/// and the read). The watermark moves past them once the consumer asks for the next step.
/// </summary>
public sealed record ReceivedLeads(IReadOnlyList<MarketoLead> Leads, IReadOnlyList<SyncResult> Skipped);
