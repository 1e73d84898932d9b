using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The -WhatIf row's diff as text, as Export-Csv writes it.</summary>
public sealed class SyncPlanRowTests
{
    [Fact]
    public void Changes_names_each_field_with_its_current_and_planned_value_and_shows_a_missing_one_as_empty()
    {
        var row = new SyncPlanRow
        {
            SourceType = "Contact", SourceNumber = "CT0001", TargetType = "Lead", Action = PlannedAction.Update,
            FieldChanges = [new FieldChange("phone", null, "+1 555"), new FieldChange("city", "Oslo", null)],
        };

        Assert.Equal("phone: (empty) -> +1 555; city: Oslo -> (empty)", row.Changes);
    }
}
