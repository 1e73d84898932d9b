using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Planned records compared with what the sandbox's Marketo holds.</summary>
public sealed class MarketoDiffTests
{
    private const string Email = "Ada.Quill@Diff-Test.example";

    /// <summary>A lead record keyed on <paramref name="key"/>, carrying its key field as the mapper's records do.</summary>
    private static MarketoRecord Lead(string key, Dictionary<string, object?> fields, MarketoWriteKind write = MarketoWriteKind.Upsert)
        => new(MarketoRecord.Lead, "Contact", "CT0001", key, new Dictionary<string, object?>(fields) { ["email"] = key }, "hash") { Write = write };

    private static async Task<MarketoDiff.Compared> CompareOneAsync(SyncSandbox sandbox, MarketoRecord record, bool sentWhenDifferent = true)
        => Assert.Single(await new MarketoDiff(sandbox.Marketo).CompareAsync([record], sentWhenDifferent, CancellationToken.None));

    [Theory]
    [InlineData(SyncAction.Unchanged, PlannedAction.Unchanged)]
    [InlineData(SyncAction.Skipped, PlannedAction.Skip)]
    [InlineData(SyncAction.Failed, PlannedAction.Skip)]
    public void A_result_becomes_a_plan_row_unchanged_only_when_it_was_unchanged(SyncAction action, PlannedAction planned)
    {
        var row = MarketoDiff.FromResult(new SyncResult
        {
            SourceType = "Customer", SourceNumber = "C00010", TargetType = MarketoRecord.Company, TargetKey = "C00010", Action = action,
            Reason = "Why", MarketoId = 7, CorrelationId = "run",
        });

        Assert.Equal(planned, row.Action);
        Assert.Equal(("Why", 7L, "C00010"), (row.Reason, row.MarketoId, row.TargetKey));
    }

    [Fact]
    public async Task A_lead_is_found_whatever_the_case_of_its_email()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var id = sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = Email });

        var compared = await CompareOneAsync(sandbox, Lead(Email.ToLowerInvariant(), []));

        Assert.Equal((PlannedAction.Update, (long?)id), (compared.Row.Action, compared.Row.MarketoId));
        Assert.Equal((Email, Email.ToLowerInvariant()), (compared.Row.FieldChanges.Single().Current, compared.Row.FieldChanges.Single().Planned));
    }

    [Fact]
    public async Task Equal_values_are_unchanged_decimals_by_value_booleans_as_text_and_empty_text_as_no_value()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var id = sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?>
        {
            ["email"] = Email, ["firstName"] = "Ada", ["annualRevenue"] = "1234.5", ["unsubscribed"] = "true",
        });

        var compared = await CompareOneAsync(sandbox, Lead(Email, new Dictionary<string, object?>
        {
            ["firstName"] = "Ada", ["annualRevenue"] = 1234.50m, ["unsubscribed"] = true, ["lastName"] = "",
        }));

        Assert.False(compared.Differs);
        Assert.Equal(PlannedAction.Unchanged, compared.Row.Action);
        Assert.Equal(id, compared.Row.MarketoId);
        Assert.Empty(compared.Row.FieldChanges);
    }

    [Fact]
    public async Task A_false_planned_where_marketo_holds_true_is_an_update_of_that_field()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = Email, ["unsubscribed"] = "true" });

        var compared = await CompareOneAsync(sandbox, Lead(Email, new Dictionary<string, object?> { ["unsubscribed"] = false }));

        Assert.True(compared.Differs);
        Assert.Equal(PlannedAction.Update, compared.Row.Action);
        var change = Assert.Single(compared.Row.FieldChanges);
        Assert.Equal(("unsubscribed", "true", "false"), (change.Field, change.Current, change.Planned));
    }

    [Fact]
    public async Task A_delete_of_a_lead_marketo_lacks_is_skipped_and_of_one_it_holds_is_a_delete()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 1);
        var id = sandbox.Host.Marketo.MarketingCreate(new Dictionary<string, string?> { ["email"] = Email });

        var held = await CompareOneAsync(sandbox, Lead(Email, [], MarketoWriteKind.Delete));
        var lacking = await CompareOneAsync(sandbox, Lead("nobody@diff-test.example", [], MarketoWriteKind.Delete));

        Assert.Equal((PlannedAction.Delete, true, (long?)id), (held.Row.Action, held.Differs, held.Row.MarketoId));
        Assert.Equal((PlannedAction.Skip, false, (long?)null), (lacking.Row.Action, lacking.Differs, lacking.Row.MarketoId));
    }
}
