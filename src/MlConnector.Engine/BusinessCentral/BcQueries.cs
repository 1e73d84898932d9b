using MlConnector.Engine.State;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>The company a client is bound to.</summary>
public sealed record BcCompanyInfo(Guid Id, string Name, string DisplayName);

/// <summary>One page served during a read: how many entities it held and how many the read has seen so far.</summary>
public sealed record BcPageProgress(string EntitySet, int PageNumber, int PageCount, long TotalSoFar);

public sealed class BcCustomerQuery
{
    /// <summary>Only customers changed after this instant (minus the settings' overlap window).</summary>
    public DateTimeOffset? ModifiedSince { get; init; }

    /// <summary>Only these customer numbers (compared in upper case, as BC stores Code fields).</summary>
    public IReadOnlyCollection<string>? Numbers { get; init; }

    /// <summary>Only these customers, by SystemId (what a change notification names); numbers and patterns are then not read.</summary>
    public IReadOnlyCollection<Guid>? Ids { get; init; }

    /// <summary>Also (or only, without <see cref="Numbers"/>) the customers whose number matches one of these wildcard patterns.</summary>
    public IReadOnlyCollection<BcNumberPattern>? NumberPatterns { get; init; }

    /// <summary>
    /// Records a previous incremental read already returned (id → the version read: lastModifiedDateTime and ETag).
    /// Read again unchanged inside the overlap window, they are dropped here.
    /// </summary>
    public IReadOnlyDictionary<Guid, ReadVersion>? AlreadyRead { get; init; }

    /// <summary>Expand customerFinancialDetail (balance, sales, overdue).</summary>
    public bool IncludeFinancialDetails { get; init; }

    public Action<BcPageProgress>? OnPage { get; init; }
}

public sealed class BcContactQuery
{
    public DateTimeOffset? ModifiedSince { get; init; }

    /// <summary>Only contacts related to these customer numbers.</summary>
    public IReadOnlyCollection<string>? CustomerNumbers { get; init; }

    /// <summary>Only these contact numbers (compared in upper case); not combined with <see cref="CustomerNumbers"/>.</summary>
    public IReadOnlyCollection<string>? Numbers { get; init; }

    /// <summary>Only these contacts, by SystemId (what a change notification names).</summary>
    public IReadOnlyCollection<Guid>? Ids { get; init; }

    /// <summary>
    /// Only person contacts (filtered by BC). Spares the lookups that link company contacts to their customers,
    /// which cost a contactsInformation call per customer without persons.
    /// </summary>
    public bool PersonsOnly { get; init; }

    /// <summary>
    /// Contacts a previous incremental read already returned (id → the version read: lastModifiedDateTime and ETag).
    /// Read again unchanged inside the overlap window, they are dropped before any customer-link lookup, so the overlap
    /// costs no calls.
    /// </summary>
    public IReadOnlyDictionary<Guid, ReadVersion>? AlreadyRead { get; init; }

    public Action<BcPageProgress>? OnPage { get; init; }
}

internal static class AlreadyReadRecords
{
    public static bool Contains(IReadOnlyDictionary<Guid, ReadVersion>? alreadyRead, Guid id, ReadVersion version) =>
        alreadyRead is not null && alreadyRead.TryGetValue(id, out var seen) && seen.IsSameAs(version);
}
