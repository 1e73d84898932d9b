using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// 606 and 615 at the quota gate, proven from the sandbox journal's timestamps (the client runs on the sandbox clock):
/// after a 606 no call of this connection leaves until the rate window has room again; after a 615 a call starts only
/// when one of the calls Marketo was serving has been answered.
/// </summary>
public sealed class MarketoBackOffTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    private static async Task RunAsync(MarketoTestHost test, int workers, int callsEach)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            for (var i = 0; i < callsEach; i++) await test.Client.GetDailyUsageAsync(CancellationToken.None);
        }));
    }

    /// <summary>Requests that reached the sandbox after <paramref name="at"/> and started inside [at, at + window).</summary>
    private static string[] StartedInside(IReadOnlyList<JournalEntry> calls, DateTimeOffset at, TimeSpan window)
        => calls.Where(c => c.Started >= at && c.Started < at + window)
            .Select(c => $"#{c.Sequence} started {(c.Started - at).TotalMilliseconds:0} ms after the answer").ToArray();

    [Fact]
    public async Task After_an_injected_606_no_caller_starts_a_call_until_a_whole_window_has_passed()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => { s.RateWindow = Window; s.CallsPer20Seconds = 100; s.MaxConcurrency = 1; });
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "stats/usage", NthCall = 4, ErrorCode = "606" });

        await RunAsync(test, workers: 3, callsEach: 4);

        var calls = test.Rest;
        Assert.Equal(13, calls.Count);
        var refused = Assert.Single(calls, c => c.ErrorCode == "606");
        var blocked = StartedInside(calls, refused.Answered!.Value, Window);
        Assert.True(blocked.Length == 0, "calls left inside the 606 window: " + string.Join(", ", blocked));
        Assert.Contains(calls, c => c.Started >= refused.Answered!.Value + Window);
    }

    [Fact]
    public async Task When_other_integrations_fill_the_window_each_606_is_waited_out_and_the_next_call_gets_through()
    {
        // The instance allows 4 calls per window; this connection thinks it may make 20 (others share the instance).
        await using var test = await MarketoTestHost.StartAsync(
            o => { o.Marketo.RateLimit = 4; o.Marketo.RateWindow = Window; },
            s => { s.RateWindow = Window; s.CallsPer20Seconds = 20; s.MaxConcurrency = 1; });

        await RunAsync(test, workers: 2, callsEach: 6);

        var calls = test.Rest.OrderBy(c => c.Started).ToArray();
        var refusals = calls.Where(c => c.ErrorCode == "606").ToArray();
        Assert.NotEmpty(refusals);
        Assert.Equal(12, calls.Count(c => c.ErrorCode is null));
        foreach (var refused in refusals)
        {
            var blocked = StartedInside(calls, refused.Answered!.Value, Window);
            Assert.True(blocked.Length == 0, $"calls left inside the window after 606 #{refused.Sequence}: " + string.Join(", ", blocked));
            var next = calls.First(c => c.Started > refused.Answered!.Value);
            Assert.Null(next.ErrorCode);
        }
    }

    [Fact]
    public async Task After_a_615_calls_wait_for_a_free_slot_so_only_the_first_burst_meets_the_limit()
    {
        // The instance serves 2 calls at once (others hold the rest of its 10); this connection may run 4. Calls
        // retried blindly after a 615 meet the full instance again and again; calls that wait for a free slot do not.
        await using var test = await MarketoTestHost.StartAsync(
            o => { o.Marketo.ConcurrencyLimit = 2; o.Marketo.ProcessingDelay = TimeSpan.FromMilliseconds(300); },
            s => s.MaxConcurrency = 4);

        await RunAsync(test, workers: 4, callsEach: 3);

        var calls = test.Rest;
        Assert.Equal(12, calls.Count(c => c.ErrorCode is null));
        var refusals = calls.Where(c => c.ErrorCode == "615").ToArray();
        Assert.NotEmpty(refusals);
        // Each refusal lowers the cap below the calls then in flight, so from 4 it reaches the instance's 2 within
        // the first burst (2 refusals) plus at most one call that was already on its way.
        Assert.True(refusals.Length <= 3, $"{refusals.Length} refusals: " + string.Join(", ", refusals.Select(r => $"#{r.Sequence}")));
    }
}
