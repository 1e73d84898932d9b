using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// Turns the engine's SyncProgress reports into one Write-Progress activity per phase ("Planning companies",
/// "Writing leads", ...): a new phase closes the previous one with Completed, and <see cref="Complete"/> closes
/// the last one on the pipeline thread when the work is over. Where the total is known the bar shows the percent
/// complete and the time remaining (from the pace of the phase so far); a wait (throttling, a retry) shows as the
/// status, with its length as the time remaining, until the next report.
/// </summary>
internal sealed class SyncProgressReporter : IProgress<SyncProgress>
{
    private readonly AsyncCmdlet _cmdlet;
    private readonly object _gate = new();
    private string? _activity;
    private int _activityId;
    private int _nextId = 1;
    private SyncProgress? _last;
    private long _startedAt;
    private long? _startProcessed;

    public SyncProgressReporter(AsyncCmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>Put in front of each phase name, e.g. "Financial refresh: " for the second pass of Invoke-MlSync.</summary>
    public string Pass { get; set; } = "";

    public void Report(SyncProgress value)
    {
        lock (_gate)
        {
            var activity = Pass + value.Phase;
            if (activity != _activity) Begin(activity);
            _last = value;
            _startProcessed ??= value.Processed;
            var status = value.Total is { } total
                ? string.Format(CultureInfo.CurrentCulture, "{0} of {1} records", value.Processed, total)
                : string.Format(CultureInfo.CurrentCulture, "{0} records", value.Processed);
            var record = new ProgressRecord(_activityId, activity, status);
            if (value.Total is > 0)
            {
                record.PercentComplete = (int)Math.Min(100, 100L * value.Processed / value.Total.Value);
                record.SecondsRemaining = SecondsRemaining(value);
            }
            _cmdlet.QueueProgressRecord(record);
        }
    }

    /// <summary>A wait the engine is making: the status says how long and why, until the next report.</summary>
    public void Waiting(TimeSpan length, string cause)
    {
        lock (_gate)
        {
            if (_activity is null) Begin(Pass + "Waiting");
            var record = new ProgressRecord(_activityId, _activity, string.Format(CultureInfo.CurrentCulture, "Waiting {0:0.#} s: {1}", length.TotalSeconds, cause))
            {
                SecondsRemaining = (int)Math.Ceiling(length.TotalSeconds),
            };
            if (_last?.Total is > 0) record.PercentComplete = (int)Math.Min(100, 100L * _last.Processed / _last.Total.Value);
            _cmdlet.QueueProgressRecord(record);
        }
    }

    /// <summary>Starts a phase the engine does not report itself (e.g. "Reading parked jobs").</summary>
    public void Phase(string phase)
    {
        lock (_gate)
        {
            Begin(Pass + phase);
            _cmdlet.QueueProgressRecord(new ProgressRecord(_activityId, _activity, "Starting"));
        }
    }

    /// <summary>On the pipeline thread after the work; a stopped pipeline takes its progress bars with it.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_activity is null || _cmdlet.Stopping) return;
            _cmdlet.WriteProgressRecord(Completed(_activityId, _activity));
            _activity = null;
        }
    }

    /// <summary>The rest at the pace of this phase so far; 0 when done, -1 (unknown) before anything was done.</summary>
    private int SecondsRemaining(SyncProgress value)
    {
        var left = value.Total!.Value - value.Processed;
        if (left <= 0) return 0;
        var done = value.Processed - (_startProcessed ?? 0);
        if (done <= 0) return -1;
        var elapsed = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        return (int)Math.Ceiling(elapsed / done * left);
    }

    private void Begin(string activity)
    {
        if (_activity is not null) _cmdlet.QueueProgressRecord(Completed(_activityId, _activity));
        _activity = activity;
        _activityId = _nextId++;
        _startedAt = Stopwatch.GetTimestamp();
        _startProcessed = null;
    }

    private static ProgressRecord Completed(int id, string activity) =>
        new(id, activity, "Done") { RecordType = ProgressRecordType.Completed };
}
