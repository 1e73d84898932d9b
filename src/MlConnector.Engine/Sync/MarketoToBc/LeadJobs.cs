using System.Globalization;
using System.Text.Json;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// A lead as a work-queue job of the reverse direction: keyed on the Marketo lead id, so a lead that changes again while
/// its job waits is one job carrying its latest values. What it becomes in Business Central is decided when it is sent.
/// </summary>
internal static class LeadJobs
{
    public const string TargetType = LeadResults.Contact;

    public static string JobId(long leadId) => LeadResults.Source + ":" + leadId.ToString(CultureInfo.InvariantCulture);

    public static QueuedJob ToJob(MarketoLead lead, DateTimeOffset now) => new(
        JobId(lead.Id), TargetType, LeadResults.Source, lead.Id.ToString(CultureInfo.InvariantCulture),
        JsonSerializer.Serialize(new Payload(lead.Fields, lead.ReadBy)), QueuedJobStatus.Pending, 0, null, now, now);

    public static MarketoLead FromJob(QueuedJob job)
    {
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload) ?? throw new InvalidDataException("An empty job payload in the work queue: " + job.JobId);
        return new MarketoLead
        {
            Id = long.Parse(job.SourceNumber, NumberStyles.None, CultureInfo.InvariantCulture),
            Fields = new Dictionary<string, string?>(payload.Fields, StringComparer.OrdinalIgnoreCase),
            ReadBy = payload.ReadBy,
        };
    }

    private sealed record Payload(IReadOnlyDictionary<string, string?> Fields, string ReadBy);
}
