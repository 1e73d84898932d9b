using System.Net;
using System.Net.Http.Json;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Tests;

public sealed class SandboxHostTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _sandbox;

    public SandboxHostTests(SandboxFixture sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task Clock_advance_through_admin_api_moves_sandbox_time()
    {
        var before = _sandbox.Host.Clock.GetUtcNow();
        using var response = await _sandbox.Http.PostAsync("admin/clock/advance", JsonContent.Create(new { seconds = 3660 }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_sandbox.Host.Clock.GetUtcNow() - before >= TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Injected_reset_connection_aborts_the_request_and_is_journaled()
    {
        var rule = _sandbox.Host.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "/rest/v1/reset-probe", ResetConnection = true, Times = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => _sandbox.Http.GetAsync("rest/v1/reset-probe.json"));
        Assert.Contains(_sandbox.Host.Journal.For(SandboxService.Marketo), e => e.Path.Contains("reset-probe") && e.ErrorCode == "reset");
        _sandbox.Host.Faults.Remove(rule.Id);
    }
}
