using System.Text;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// A completed lead export of a file the test knows byte for byte: 100 leads of lead.000@example.test ... lead.099@example.test,
/// exported with the one field email, so the file is the header line and one 22-byte line per lead.
/// </summary>
internal static class MarketoExportSetup
{
    public const int Leads = 100;

    /// <summary>"email\n" and 100 lines of 21 characters and a newline.</summary>
    public const int FileBytes = 2206;

    public static string Email(int i) => $"lead.{i:000}@example.test";

    public static byte[] ExpectedFile()
        => Encoding.UTF8.GetBytes("email\n" + string.Concat(Enumerable.Range(0, Leads).Select(i => Email(i) + "\n")));

    public static async Task<MarketoExportJob> CreateLeadsAndExportAsync(MarketoTestHost test)
    {
        var leads = Enumerable.Range(0, Leads).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["email"] = Email(i) }).ToArray();
        await test.Client.SyncLeadsAsync(leads, MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);
        var now = test.Sandbox.Clock.GetUtcNow();
        var job = await test.Client.CreateLeadExportAsync(["email"], "createdAt", now.AddMinutes(-1), now.AddMinutes(1), CancellationToken.None);
        job = await test.Client.EnqueueLeadExportAsync(job.ExportId, CancellationToken.None);
        for (var polls = 0; !job.Finished && polls < 10; polls++)
        {
            test.Sandbox.Clock.Advance(TimeSpan.FromSeconds(5));
            job = await test.Client.GetLeadExportStatusAsync(job.ExportId, CancellationToken.None);
        }
        Assert.True(job.Completed, $"the export ended {job.Status}");
        return job;
    }

    public static bool IsFileRequest(MlConnector.Sandbox.Core.JournalEntry entry) => entry.Path.EndsWith("/file.json", StringComparison.Ordinal);
}
