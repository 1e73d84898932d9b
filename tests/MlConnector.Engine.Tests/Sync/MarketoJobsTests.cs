using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A Marketo record queued as a job reads back as it went in; old or odd payloads read back with defaults.</summary>
public sealed class MarketoJobsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static QueuedJob Job(string payload)
        => new("Contact:CT1", MarketoRecord.Lead, "Contact", "CT1", payload, QueuedJobStatus.Pending, 0, null, Now, Now);

    [Fact]
    public void A_queued_record_reads_back_with_its_fields_hash_source_id_write_and_reason()
    {
        var fields = new Dictionary<string, object?> { ["email"] = "ann@example.com", ["score"] = 12.5m, ["unsubscribed"] = false, ["vip"] = true, ["title"] = null };
        var sourceId = Guid.NewGuid();
        var record = new MarketoRecord(MarketoRecord.Lead, "Contact", "CT1", "Ann@Example.com", fields, "hash-1")
        {
            SourceId = sourceId, Write = MarketoWriteKind.UpdateOnly, Reason = "PrivacyBlocked",
        };

        var job = MarketoJobs.ToJob(record, Now);
        var back = MarketoJobs.FromJob(job);

        Assert.Equal("Contact:CT1", job.JobId);
        Assert.Equal("ann@example.com", MarketoJobs.KeyOf(job));
        Assert.Equal(("Ann@Example.com", "hash-1", sourceId, MarketoWriteKind.UpdateOnly, "PrivacyBlocked"),
            (back.Key, back.ContentHash, back.SourceId, back.Write, back.Reason));
        Assert.Equal(fields.OrderBy(f => f.Key), back.Fields.OrderBy(f => f.Key));
    }

    [Fact]
    public void A_payload_with_only_a_key_reads_back_with_no_fields_no_hash_and_an_upsert()
    {
        var back = MarketoJobs.FromJob(Job("""{"Key":"ann@example.com"}"""));

        Assert.Empty(back.Fields);
        Assert.Equal(("", null, MarketoWriteKind.Upsert, null), (back.ContentHash, back.SourceId, back.Write, back.Reason));
    }

    [Fact]
    public void Properties_of_the_wrong_kind_read_back_as_if_absent()
    {
        var back = MarketoJobs.FromJob(Job("""{"Key":"ann@example.com","Fields":"x","Hash":5,"SourceId":7,"Write":"Delete","Reason":false}"""));

        Assert.Empty(back.Fields);
        Assert.Equal(("", null, MarketoWriteKind.Upsert, null), (back.ContentHash, back.SourceId, back.Write, back.Reason));
    }

    [Fact]
    public void A_payload_without_a_key_is_refused_naming_its_job()
    {
        var refused = Assert.Throws<InvalidDataException>(() => MarketoJobs.FromJob(Job("""{"Hash":"h"}""")));

        Assert.Equal("A job payload without a key in the work queue: Contact:CT1", refused.Message);
    }
}
