using MlConnector.Engine.Sync.MarketoToBc;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The first status poll of a bulk extract: 30 s, or the seconds <see cref="LeadReceiveRequest.BulkPollVariable"/> holds when positive.</summary>
public sealed class LeadReceiveRequestTests
{
    [Theory]
    [InlineData(null, 30_000)]
    [InlineData("0.25", 250)]
    [InlineData("2", 2_000)]
    [InlineData("0", 30_000)]
    [InlineData("-5", 30_000)]
    [InlineData("soon", 30_000)]
    public void The_bulk_poll_interval_comes_from_the_environment_when_positive(string? seconds, int expectedMs)
    {
        var before = Environment.GetEnvironmentVariable(LeadReceiveRequest.BulkPollVariable);
        Environment.SetEnvironmentVariable(LeadReceiveRequest.BulkPollVariable, seconds);
        try
        {
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new LeadReceiveRequest().BulkPollInterval);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LeadReceiveRequest.BulkPollVariable, before);
        }
    }
}
