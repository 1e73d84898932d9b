using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Sync;

/// <summary>
/// A run's part in a daily Marketo call budget (Connect-MlMarketo -DailyCallBudget) that holds across runs. At the start
/// the quota gate is told how many calls were made today (Marketo's day, from midnight US Central): the most of what the
/// pair's state counted for its earlier runs and what Marketo's usage report (the figure Test-MlConnection shows) counts
/// for this connection's API user. As batches settle, the calls this run made are added to the pair's count, so the
/// next run — a runbook every 15 minutes — goes on from there. Without a budget it only keeps the count.
/// </summary>
internal sealed class DailyCallLedger
{
    public const string BudgetReachedId = "MarketoDailyCallBudgetReached";

    private readonly SyncContext _context;
    private long _saved;

    public DailyCallLedger(SyncContext context)
    {
        _context = context;
        _saved = context.Marketo.CallCount;
    }

    /// <summary>Whether an exception is the gate refusing a call because the budget is spent (a clean stop, not a failure).</summary>
    public static bool IsBudgetReached(Exception? exception) => exception is MarketoQuotaExceededException { ErrorId: BudgetReachedId };

    /// <summary>Seeds the gate with today's calls so far. Reads Marketo's usage (one call) only when a budget is set.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var marketo = _context.Marketo;
        if (marketo.DailyCallBudget is null) return;
        var today = Today();
        var counted = _context.State.MarketoCalls.Get(today);
        marketo.CountCallsMadeToday(counted);
        try
        {
            var usage = await marketo.GetDailyUsageAsync(cancellationToken).ConfigureAwait(false);
            if (usage.Date == today && usage.ApiUserCalls is { } reported && reported > counted)
            {
                _context.Log.Verbose($"Marketo counts {reported} calls of API user {usage.ApiUser} today; this pair's runs counted {counted}: the budget goes on from {reported}.");
                marketo.CountCallsMadeToday(reported);
            }
        }
        catch (MarketoApiException e)
        {
            _context.Log.Verbose($"Marketo's usage could not be read ({e.Code}): the daily budget goes on from the {counted} calls this pair's runs counted today.");
        }
        catch (MarketoQuotaExceededException e) when (IsBudgetReached(e))
        {
            // Spent already: the first write says so.
        }
        Save();
    }

    /// <summary>Adds the calls made since the last save to today's count in the pair's state.</summary>
    public void Save()
    {
        var calls = _context.Marketo.CallCount;
        if (calls <= _saved) return;
        _context.State.MarketoCalls.Add(Today(), calls - _saved, _context.Time.GetUtcNow());
        _saved = calls;
    }

    /// <summary>The warning a run that stopped on its budget gives, naming what is left and when the budget resets.</summary>
    public void WarnStopped(int pending)
    {
        var resets = MarketoCentralTime.NextMidnight(_context.Time.GetUtcNow());
        _context.Log.Warning(EngineWarnings.DailyCallBudgetReached,
            $"The daily Marketo call budget of {_context.Marketo.DailyCallBudget} calls is spent ({_context.Marketo.CallsToday} made today): the run stopped sending. " +
            $"{pending} record(s) stay queued and are sent by the next run after the budget resets at {resets:yyyy-MM-dd HH:mm zzz} (midnight US Central), or by a run with a larger -DailyCallBudget.");
    }

    private DateOnly Today() => MarketoCentralTime.DateOf(_context.Time.GetUtcNow());
}
