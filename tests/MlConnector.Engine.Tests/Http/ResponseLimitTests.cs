using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Security;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Engine.Tests.Marketo;
using Xunit.Abstractions;

namespace MlConnector.Engine.Tests.Http;

/// <summary>Allocation is measured process-wide, so these run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuredCollection
{
    public const string Name = "Allocation measured";
}

/// <summary>
/// A hostile endpoint answers with a 100 MB body: the connector stops with an error naming the limit, having
/// allocated a small part of that (measured loosely with the process's allocation counter, never with time).
/// </summary>
[Collection(AllocationMeasuredCollection.Name)]
public sealed class ResponseLimitTests(ITestOutputHelper output)
{
    private const long HundredMegabytes = 100L << 20;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_100_MB_Marketo_identity_answer_ends_with_a_clear_error_and_bounded_memory(bool declareLength)
    {
        await using var hostile = LoopbackServer.Start(_ => LoopbackResponse.Huge(HundredMegabytes, declareLength));
        var settings = HostileEndpoints.Marketo(hostile.BaseUri, maxAttempts: 1);

        var (error, allocated) = await MeasureAsync(() => MarketoClient.ConnectAsync(settings, new SecretText(HostileEndpoints.Secret), new CollectingLog()));

        Assert.Equal("MarketoResponseTooLarge", error.ErrorId);
        Assert.Contains("1 MB", error.Message, StringComparison.Ordinal);
        Assert.Contains("/identity/oauth/token", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes while refusing a 100 MB identity answer");
        Assert.Single(hostile.Requests);
    }

    [Fact]
    public async Task A_100_MB_Marketo_REST_answer_ends_with_a_clear_error_and_bounded_memory()
    {
        await using var hostile = LoopbackServer.Start(r => HostileEndpoints.IsIdentity(r) ? HostileEndpoints.MarketoIdentity() : LoopbackResponse.Huge(HundredMegabytes, declareLength: false));
        using var client = await MarketoClient.ConnectAsync(HostileEndpoints.Marketo(hostile.BaseUri, maxAttempts: 1), new SecretText(HostileEndpoints.Secret), new CollectingLog());

        var (error, allocated) = await MeasureAsync(() => client.DescribeLeadsAsync(CancellationToken.None));

        Assert.Equal("MarketoResponseTooLarge", error.ErrorId);
        Assert.Contains("16 MB", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 48L << 20, $"allocated {allocated:N0} bytes while refusing a 100 MB REST answer");
    }

    [Fact]
    public async Task A_100_MB_Business_Central_page_ends_with_a_clear_error_before_it_is_read()
    {
        await using var sandbox = await BcSandbox.StartAsync(customers: 0);
        await using var hostile = LoopbackServer.Start(_ => LoopbackResponse.Huge(HundredMegabytes, declareLength: true));
        var settings = HostileEndpoints.BusinessCentral(sandbox, hostile.BaseUri);
        settings.Retry.MaxAttempts = 1;

        var (error, allocated) = await MeasureAsync(() => BusinessCentralClient.ConnectAsync(settings, sandbox.Secret, sandbox.Log, sandbox.Host.Clock));

        Assert.Equal("BusinessCentralResponseTooLarge", error.ErrorId);
        Assert.Contains("64 MB", error.Message, StringComparison.Ordinal);
        Assert.Contains("declared 100 MB", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes while refusing a 100 MB page");
    }

    [Fact]
    public async Task A_100_MB_Entra_token_answer_ends_with_a_clear_error_and_bounded_memory()
    {
        await using var hostile = LoopbackServer.Start(_ => LoopbackResponse.Huge(HundredMegabytes, declareLength: false), https: true);

        var (error, allocated) = await MeasureAsync(() => BusinessCentralClient.ConnectAsync(HostileEndpoints.Entra(hostile.BaseUri), new SecretText(HostileEndpoints.Secret), new TestLog()));

        Assert.Equal("BusinessCentralResponseTooLarge", error.ErrorId);
        Assert.Contains("Entra", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 24L << 20, $"allocated {allocated:N0} bytes while refusing a 100 MB token answer");
    }

    private async Task<(MlConnectorException Error, long Allocated)> MeasureAsync<T>(Func<Task<T>> call)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        MlConnectorException? error = null;
        try
        {
            var result = await call();
            (result as IDisposable)?.Dispose();
        }
        catch (MlConnectorException e)
        {
            error = e;
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.NotNull(error);
        output.WriteLine($"{error.ErrorId}: allocated {allocated:N0} bytes");
        return (error, allocated);
    }
}
