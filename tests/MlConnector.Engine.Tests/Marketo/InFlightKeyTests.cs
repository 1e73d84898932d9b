using MlConnector.Engine.Tests.Sync;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Marketo can create the same new lead twice when two upserts of it are in flight together (leads.md), so the
/// connector must never have one email, or one externalCompanyId, in two overlapping write calls. The sandbox's
/// write log records when each call arrived and answered and the keys it carried; the check holds however the
/// connector schedules its calls (today one at a time, later concurrently).
/// </summary>
public sealed class InFlightKeyTests
{
    /// <summary>Pairs of calls that were in flight together and share a key.</summary>
    internal static IReadOnlyList<string> SharedKeysInFlight(IReadOnlyList<MarketoWriteCall> calls) =>
        (from a in calls
         from b in calls
         where a.Id < b.Id && a.Object == b.Object && a.Overlaps(b)
         from key in a.Keys.Intersect(b.Keys, StringComparer.Ordinal)
         select $"{a.Object} calls {a.Id} and {b.Id} both carry '{key}'").ToArray();

    [Fact]
    public async Task No_email_or_company_key_is_in_two_write_calls_in_flight_together()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 400, configure: o => o.Marketo.ConcurrentUpsertDuplicates = true);
        await sandbox.RunAsync();
        var store = sandbox.Host.BusinessCentral.Store;
        foreach (var customer in store.Customers.Take(30).ToList())
            sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Moved");
        sandbox.Host.Clock.Advance(TimeSpan.FromMinutes(5));
        await sandbox.RunAsync();

        var calls = sandbox.Host.Marketo.Writes.Snapshot();
        Assert.Equal(sandbox.MarketoWrites().Count, calls.Count);
        Assert.True(calls.Count(c => c.Object == "lead") > 1 && calls.Count(c => c.Object == "company") > 1, "the run must write in several calls");
        Assert.All(calls, c => Assert.NotEmpty(c.Keys));
        Assert.Empty(SharedKeysInFlight(calls));
        var (_, emails) = sandbox.Expected();
        Assert.All(emails, e => Assert.True(sandbox.Host.Marketo.LeadsByEmail(e).Count <= 1, $"{e} was created twice"));
    }

    [Fact]
    public void The_check_finds_a_key_shared_by_overlapping_calls_and_ignores_calls_one_after_the_other()
    {
        var first = new MarketoWriteCall(1, "lead", DateTimeOffset.UnixEpoch, 1, ["a@example.com", "b@example.com"]) { CompletedOrder = 4 };
        var overlapping = new MarketoWriteCall(2, "lead", DateTimeOffset.UnixEpoch, 2, ["b@example.com"]) { CompletedOrder = 3 };
        var after = new MarketoWriteCall(3, "lead", DateTimeOffset.UnixEpoch, 5, ["a@example.com"]) { CompletedOrder = 6 };
        Assert.Equal(["lead calls 1 and 2 both carry 'b@example.com'"], SharedKeysInFlight([first, overlapping, after]));
    }
}
