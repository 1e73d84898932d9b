using System.Globalization;
using System.Management.Automation;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// Turns the engine's SyncProgress reports into one Write-Progress activity per phase ("Planning companies",
/// "Writing leads", ...): a new phase closes the previous one with Completed, and <see cref="Complete"/> closes
/// the last one on the pipeline thread when the work is over.
/// </summary>
internal sealed class SyncProgressReporter : IProgress<SyncProgress>
{
    private readonly AsyncCmdlet _cmdlet;
    private readonly object _gate = new();
    private string? _activity;
    private int _activityId;
    private int _nextId = 1;

    public SyncProgressReporter(AsyncCmdlet cmdlet) => _cmdlet = cmdlet;

    /// <summary>Put in front of each phase name, e.g. "Financial refresh: " for the second pass of Invoke-MlSync.</summary>
    public string Pass { get; set; } = "";

    public void Report(SyncProgress value)
    {
        lock (_gate)
        {
            var activity = Pass + value.Phase;
            if (activity != _activity) Begin(activity);
            var status = value.Total is { } total
                ? string.Format(CultureInfo.CurrentCulture, "{0} of {1} records", value.Processed, total)
                : string.Format(CultureInfo.CurrentCulture, "{0} records", value.Processed);
            var record = new ProgressRecord(_activityId, activity, status);
            if (value.Total is > 0) record.PercentComplete = (int)Math.Min(100, 100L * value.Processed / value.Total.Value);
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

    private void Begin(string activity)
    {
        if (_activity is not null) _cmdlet.QueueProgressRecord(Completed(_activityId, _activity));
        _activity = activity;
        _activityId = _nextId++;
    }

    private static ProgressRecord Completed(int id, string activity) =>
        new(id, activity, "Done") { RecordType = ProgressRecordType.Completed };
}
