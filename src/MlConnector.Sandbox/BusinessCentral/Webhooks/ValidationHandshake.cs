using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// BC's check before it stores or renews a subscription (shared/api/business-central.md §5.1): a request to the
/// notification URL with ?validationToken=…, which must answer 200 with the token in its body within the deadline.
/// </summary>
internal sealed class ValidationHandshake(BcWebhookOptions options, HttpClient http, SandboxClock clock, WebhookJournal journal)
{
    private const int MaxAnswerBytes = 64 * 1024;

    public async Task<bool> RunAsync(string notificationUrl, string? subscriptionId, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("D");
        var uri = notificationUrl + (notificationUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "validationToken=" + Uri.EscapeDataString(token);
        var started = clock.GetUtcNow();
        int? status = null;
        string detail;
        var passed = false;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.HandshakeTimeout);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(options.HandshakeMethod), uri);
            if (request.Method == HttpMethod.Post) request.Content = new ByteArrayContent([]);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var answer = await WebhookHttp.ReadBoundedAsync(response, MaxAnswerBytes, deadline.Token).ConfigureAwait(false);
            passed = status == 200 && Matches(Encoding.UTF8.GetString(answer), token);
            detail = passed ? "token echoed" : status == 200 ? "the answer does not carry the validation token" : $"answered {status}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            detail = $"no answer within {options.HandshakeTimeout.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException e)
        {
            detail = "no answer: " + e.Message;
        }

        journal.Add(sequence => new WebhookJournalEntry(sequence, WebhookEvent.Handshake, notificationUrl, subscriptionId is null ? [] : [subscriptionId],
            started, clock.GetUtcNow(), null, 1, 0, status, passed ? WebhookOutcome.Succeeded : WebhookOutcome.Failed, detail));
        return passed;
    }

    private bool Matches(string answer, string token) => options.HandshakeMatch == HandshakeMatch.Exact
        ? string.Equals(answer, token, StringComparison.Ordinal)
        : answer.Contains(token, StringComparison.Ordinal);
}
