using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MlConnector.Sandbox.Core;

/// <summary>
/// The middleware every simulated request passes: it matches fault rules, answers or intercepts as they say,
/// and journals the request with the moments it was received, applied, held, answered or dropped. Writes are
/// served into a buffer, so the moment the simulator has applied one is known apart from the moment its
/// answer leaves, and a fault can hold or drop that answer.
/// </summary>
internal sealed class RequestPipeline(SandboxClock clock, RequestJournal journal, FaultInjector faults,
    Func<SandboxService, IServiceSimulator?> simulatorOf, CancellationToken stopping)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var service = SandboxHost.ServiceOf(context.Request.Path);
        if (service is null or SandboxService.Admin)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var moments = new Moments { Received = clock.GetUtcNow() };
        var sequence = journal.NextSequence();
        var method = context.Request.Method;
        var path = context.Request.Path + context.Request.QueryString;
        context.Response.OnStarting(() =>
        {
            moments.Answered ??= clock.GetUtcNow();
            return Task.CompletedTask;
        });
        var decision = faults.Match(service.Value, method, path);
        try
        {
            if (decision is not null && decision.Rule.LatencyMs > 0)
                await Task.Delay(decision.Rule.LatencyMs, context.RequestAborted).ConfigureAwait(false);

            if (decision is { Rule.ResetConnection: true })
            {
                JournalTags.SetErrorCode(context, "reset");
                JournalTags.SetNotCounted(context);
                moments.Dropped = true;
                context.Abort();
                return;
            }

            if (decision is { HasResponse: true })
            {
                var rule = decision.Rule;
                JournalTags.SetErrorCode(context, rule.ErrorCode ?? rule.HttpStatus?.ToString(CultureInfo.InvariantCulture));
                if (GatewayErrors.Answers(service.Value, rule) is { } status)
                    await GatewayErrors.WriteAsync(context, status, rule.RetryAfterSeconds).ConfigureAwait(false);
                else
                    await simulatorOf(service.Value)!.WriteFaultAsync(context, rule).ConfigureAwait(false);
                return;
            }

            if (decision is { Intercepts: true } || !HttpMethods.IsGet(method))
            {
                await ServeBufferedAsync(context, next, decision?.Rule, new HeldRequestKey(sequence, service.Value, method, path), moments).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var dropped = moments.Dropped || (context.RequestAborted.IsCancellationRequested && moments.Answered is null);
            var status = dropped && context.Response.StatusCode == StatusCodes.Status200OK ? 0 : context.Response.StatusCode;
            var completed = clock.GetUtcNow();
            // A response without a body starts only once this middleware returns.
            DateTimeOffset? answered = dropped ? null : moments.Answered ?? completed;
            journal.Add(new JournalEntry(sequence, moments.Received, completed, service.Value, method, path, status,
                JournalTags.ErrorCode(context), JournalTags.RecordCount(context), JournalTags.Counted(context),
                moments.Applied, answered, moments.Released, dropped));
        }
    }

    /// <summary>
    /// Serves a write (or an intercepted request) into a buffer: hold before applying, apply, hold before answering,
    /// then answer or drop. A request that is held or dropped is applied even if the client has gone away meanwhile,
    /// as a real server applies what it has received.
    /// </summary>
    private async Task ServeBufferedAsync(HttpContext context, RequestDelegate next, FaultRule? rule, HeldRequestKey key, Moments moments)
    {
        var clientAborted = context.RequestAborted;
        if (rule is not null)
        {
            await BufferRequestBodyAsync(context).ConfigureAwait(false);
            context.RequestAborted = stopping;
        }
        if (rule?.Hold == HoldPoint.BeforeApply && await HoldAsync(rule, key, HoldPoint.BeforeApply, clientAborted, moments).ConfigureAwait(false))
        {
            // Dropped while held: lost on the way, never applied.
            moments.Dropped = true;
            context.Abort();
            return;
        }

        var answer = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = answer;
        }
        if (context.Response.StatusCode < 400 && JournalTags.ErrorCode(context) is null) moments.Applied = clock.GetUtcNow();

        var answerDropped = rule?.Hold == HoldPoint.BeforeAnswer && await HoldAsync(rule, key, HoldPoint.BeforeAnswer, clientAborted, moments).ConfigureAwait(false);
        if (answerDropped || rule?.ResetAfterApply == true || clientAborted.IsCancellationRequested)
        {
            moments.Dropped = true;
            context.Abort();
            return;
        }

        context.RequestAborted = clientAborted;
        buffer.Position = 0;
        try
        {
            await buffer.CopyToAsync(answer, clientAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            moments.Dropped = true;
        }
    }

    /// <summary>Holds the request until it is released (false) or dropped (true).</summary>
    private async Task<bool> HoldAsync(FaultRule rule, HeldRequestKey key, HoldPoint point, CancellationToken clientAborted, Moments moments)
    {
        var held = new HeldRequest(rule.Id, key.Sequence, key.Service, key.Method, key.Path, point, clock.GetUtcNow());
        var dropped = await faults.Held.HoldAsync(held, clientAborted, stopping).ConfigureAwait(false);
        moments.Released = clock.GetUtcNow();
        return dropped;
    }

    /// <summary>Reads the whole body before a hold, so the simulator can still read it after the client has gone.</summary>
    private static async Task BufferRequestBodyAsync(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        body.Position = 0;
        context.Request.Body = body;
        context.Response.RegisterForDispose(body);
    }

    private sealed record HeldRequestKey(long Sequence, SandboxService Service, string Method, string Path);

    private sealed class Moments
    {
        public DateTimeOffset Received { get; init; }
        public DateTimeOffset? Applied { get; set; }
        public DateTimeOffset? Answered { get; set; }
        public DateTimeOffset? Released { get; set; }
        public bool Dropped { get; set; }
    }
}
