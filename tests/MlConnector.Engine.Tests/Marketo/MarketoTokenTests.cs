using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Marketo;

public sealed class MarketoTokenTests
{
    [Fact]
    public async Task Each_expiry_costs_exactly_one_identity_call_and_no_rest_error()
    {
        await using var test = await MarketoTestHost.StartAsync();
        Assert.Single(test.Identity);
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);

        for (var expiry = 1; expiry <= 2; expiry++)
        {
            test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(3601));
            for (var i = 0; i < 3; i++) await test.Client.DescribeCompaniesAsync(CancellationToken.None);
            Assert.Equal(1 + expiry, test.Identity.Count);
        }
        Assert.All(test.Rest, e => Assert.Null(e.ErrorCode));
        Assert.Equal(7, test.Client.CallCount);
    }

    [Fact]
    public async Task Token_is_renewed_in_its_last_minute_and_then_used_to_its_end()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var first = await test.Client.EnsureTokenAsync(CancellationToken.None);
        test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(3600 - 50));
        // Inside the last 60 s the client asks again; Marketo returns the same token (same expiry) until it dies.
        Assert.Equal(first, await test.Client.EnsureTokenAsync(CancellationToken.None), TimeSpan.FromSeconds(2));
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        Assert.Equal(2, test.Identity.Count);
        test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(51));
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        Assert.Equal(3, test.Identity.Count);
        Assert.True(await test.Client.EnsureTokenAsync(CancellationToken.None) > first.AddSeconds(3000));
        Assert.All(test.Rest, e => Assert.Null(e.ErrorCode));
    }

    [Theory]
    [InlineData("601")]
    [InlineData("602")]
    public async Task Injected_token_error_renews_and_repeats_the_call_once(string code)
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", NthCall = 1, ErrorCode = code });
        var fields = await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        Assert.NotEmpty(fields);
        Assert.Equal(new[] { code, null }, test.Rest.Select(e => e.ErrorCode));
        Assert.Equal(2, test.Identity.Count);
    }

    [Fact]
    public async Task Server_side_expiry_gives_602_then_a_new_token()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Marketo.Tokens.ExpireNow();
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        await test.Client.DescribeCompaniesAsync(CancellationToken.None);
        Assert.Equal(new[] { "602", null, null }, test.Rest.Select(e => e.ErrorCode));
        Assert.Equal(2, test.Identity.Count);
    }

    [Fact]
    public async Task A_token_that_keeps_being_rejected_is_an_authentication_error_not_a_loop()
    {
        await using var test = await MarketoTestHost.StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "companies/describe", ErrorCode = "601" });
        await Assert.ThrowsAsync<MarketoAuthenticationException>(() => test.Client.DescribeCompaniesAsync(CancellationToken.None));
        Assert.Equal(2, test.Rest.Count);
    }
}
