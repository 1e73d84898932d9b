using Azure;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// TableCalls on its own: how a failed call reads, and the retry of a write that keeps losing its race. Both take the
/// failures as RequestFailedException values, since Azurite cannot be made to refuse with any status on demand or to
/// lose a race a hundred times in a row.
/// </summary>
public sealed class TableCallsTests
{
    private const string RoleHint = " Check that the identity or key may read and write the account's tables (the role Storage Table Data Contributor, or a SAS with table permissions raud and, for the first run, c).";

    [Theory]
    [InlineData(0, null, "Connection refused (127.0.0.1:1)", "(no answer): Connection refused (127.0.0.1:1) Check the endpoint and the network.")]
    [InlineData(403, "AuthorizationPermissionMismatch", "This request is not authorized.\nRequestId:1", "(HTTP 403 AuthorizationPermissionMismatch): This request is not authorized." + RoleHint)]
    [InlineData(401, "InvalidAuthenticationInfo", "Server failed to authenticate the request.", "(HTTP 401 InvalidAuthenticationInfo): Server failed to authenticate the request." + RoleHint)]
    [InlineData(500, null, "Internal error\r\nStatus: 500", "(HTTP 500): Internal error")]
    [InlineData(400, "", "Bad request", "(HTTP 400): Bad request")]
    [InlineData(502, null, "\nBad gateway", "(HTTP 502): ")]
    public void A_failed_call_names_what_was_being_done_its_status_and_code_and_the_first_line_of_the_error(int status, string? code, string error, string reads)
    {
        var failure = new RequestFailedException(status, error, code, null);

        var reported = TableCalls.Unavailable("read queued jobs", failure);

        Assert.Equal("The table state store could not read queued jobs " + reads, reported.Message);
        Assert.Same(failure, reported.InnerException);
    }

    [Fact]
    public void A_write_that_loses_its_race_is_tried_again_until_it_commits_and_each_loss_is_counted()
    {
        var before = TableCalls.Conflicts;
        var attempts = 0;

        var result = TableCalls.Optimistic("advance the checkpoint x", () => ++attempts < 4 ? throw new RequestFailedException(412, "stale", "UpdateConditionNotSatisfied", null) : "committed");

        Assert.Equal(("committed", 4), (result, attempts));
        Assert.True(TableCalls.Conflicts - before >= 3);
    }

    [Fact]
    public void A_write_that_keeps_losing_gives_up_after_a_hundred_tries_and_says_nothing_was_lost()
    {
        var attempts = 0;

        var error = Assert.Throws<StateStoreException>(() => TableCalls.Optimistic("enqueue company:C1", () =>
        {
            attempts++;
            throw new RequestFailedException(409, "exists", "EntityAlreadyExists", null);
        }));

        Assert.Equal(100, attempts);
        Assert.Equal("The state store could not enqueue company:C1: another writer changed the same rows 100 times in a row. Nothing was lost; run again.", error.Message);
    }

    [Fact]
    public void A_call_refused_for_another_reason_than_a_race_is_reported_at_once()
    {
        var attempts = 0;

        var error = Assert.Throws<StateStoreException>(() => TableCalls.Optimistic("set the watermark w", () =>
        {
            attempts++;
            throw new RequestFailedException(403, "denied", "AuthorizationFailure", null);
        }));

        Assert.Equal(1, attempts);
        Assert.StartsWith("The table state store could not set the watermark w (HTTP 403 AuthorizationFailure): denied", error.Message, StringComparison.Ordinal);
    }
}
