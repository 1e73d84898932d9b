namespace MlConnector.Engine.State;

public enum LinkKind { Customer, Contact }

/// <summary>
/// One pair's links between BC records and Marketo records: a customer and its Marketo company, a contact and its lead.
/// The BC → Marketo flow fills them as Marketo answers with ids; the reverse flow reads them.
/// </summary>
public interface ILinkStore
{
    /// <summary>Saves in one batch; a link without a BC id keeps the id already known.</summary>
    void Save(IEnumerable<RecordLink> links);

    IReadOnlyDictionary<string, RecordLink> ByBcNumber(LinkKind kind, IEnumerable<string> bcNumbers);

    IReadOnlyDictionary<long, RecordLink> ByMarketoId(LinkKind kind, IEnumerable<long> marketoIds);

    int Count(LinkKind kind);
}

/// <summary>A BC record (number, and id when known) and the Marketo record it is (id and key: externalCompanyId or email).</summary>
public sealed record RecordLink(LinkKind Kind, string BcNumber, Guid? BcId, long MarketoId, string? MarketoKey, DateTimeOffset UpdatedAt);
