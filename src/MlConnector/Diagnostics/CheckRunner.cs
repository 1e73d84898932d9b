using System.Diagnostics;
using MlConnector.Engine;
using MlConnector.Engine.Diagnostics;
using MlConnector.Output;

namespace MlConnector.Diagnostics;

/// <summary>Times one check and turns its outcome (or the engine's exception) into an <see cref="MlConnectionCheck"/>.</summary>
internal sealed class CheckRunner(string service, Action<MlConnectionCheck> emit, Func<MlConnectorException, string> advice)
{
    /// <summary>Runs <paramref name="body"/>; returns false when it failed, so dependent checks can be reported as not run.</summary>
    public async Task<bool> RunAsync(string check, Func<CancellationToken, Task<(MlCheckStatus Status, string Detail)>> body, CancellationToken cancel)
    {
        var watch = Stopwatch.StartNew();
        MlCheckStatus status;
        string detail;
        try
        {
            (status, detail) = await body(cancel).ConfigureAwait(false);
        }
        catch (MlConnectorException e)
        {
            (status, detail) = (MlCheckStatus.Failed, (e.Message.TrimEnd() + " " + advice(e)).Trim());
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            (status, detail) = (MlCheckStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
        Emit(check, status, detail, watch.ElapsedMilliseconds);
        return status != MlCheckStatus.Failed;
    }

    public void NotRun(string check, string because) => Emit(check, MlCheckStatus.Failed, $"Not run: {because} failed.", 0);

    private void Emit(string check, MlCheckStatus status, string detail, long milliseconds) => emit(new MlConnectionCheck
    {
        Service = service,
        Check = check,
        Status = status,
        Detail = Redactor.Redact(detail),
        Milliseconds = milliseconds,
    });
}
