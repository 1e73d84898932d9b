using System.Runtime.CompilerServices;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>Reads what a sync covers from Business Central, in chunks that bound memory.</summary>
internal sealed class BcSources
{
    private readonly SyncContext _context;

    public BcSources(SyncContext context) => _context = context;

    /// <summary>The email each recorded owner of a contested lead holds now (absent: no longer in BC).</summary>
    public Task<IReadOnlyDictionary<string, string>> ContactEmailsAsync(IEnumerable<string> numbers, CancellationToken cancellationToken)
        => _context.Bc.GetContactEmailsAsync(numbers.Distinct(StringComparer.Ordinal).ToArray(), cancellationToken);

    public IAsyncEnumerable<List<BcCustomer>> CustomersAsync(CustomerSyncRequest request, CancellationToken cancellationToken)
    {
        if (request.Customers is { } given && given.All(c => c.Balance is not null)) return Chunk(ToAsync(given), cancellationToken);
        var query = new BcCustomerQuery
        {
            IncludeFinancialDetails = true,
            Numbers = request.Customers?.Select(c => c.Number).ToArray() ?? request.CustomerNumbers,
            ModifiedSince = request.FromCheckpoints ? _context.State.Checkpoints.Get(SyncCheckpoints.Customers) : null,
            AlreadyRead = request.FromCheckpoints ? _context.State.Checkpoints.Boundary(SyncCheckpoints.Customers) : null,
        };
        return Chunk(_context.Bc.GetCustomersAsync(query, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Contacts changed since the checkpoint (when <paramref name="modifiedSince"/>; every contact when <paramref name="fromStart"/>
    /// too), those of the given customers, and those with the given <paramref name="numbers"/>, each once. The checkpoint is
    /// read now: the read itself touches no state.
    /// </summary>
    public IAsyncEnumerable<List<BcContact>> ContactsAsync(bool modifiedSince, bool fromStart, IReadOnlyCollection<string>? ofCustomers,
        CancellationToken cancellationToken) => ContactsAsync(modifiedSince, fromStart, ofCustomers, null, cancellationToken);

    /// <inheritdoc cref="ContactsAsync(bool, bool, IReadOnlyCollection{string}?, CancellationToken)"/>
    public IAsyncEnumerable<List<BcContact>> ContactsAsync(bool modifiedSince, bool fromStart, IReadOnlyCollection<string>? ofCustomers,
        IReadOnlyCollection<string>? numbers, CancellationToken cancellationToken)
    {
        var since = modifiedSince && !fromStart ? _context.State.Checkpoints.Get(SyncCheckpoints.Contacts) : null;
        var alreadyRead = modifiedSince && !fromStart ? _context.State.Checkpoints.Boundary(SyncCheckpoints.Contacts) : null;
        return ReadContactsAsync(modifiedSince, since, alreadyRead, ofCustomers, numbers, cancellationToken);
    }

    private async IAsyncEnumerable<List<BcContact>> ReadContactsAsync(bool modifiedSince, DateTimeOffset? since, IReadOnlyDictionary<Guid, ReadVersion>? alreadyRead,
        IReadOnlyCollection<string>? ofCustomers, IReadOnlyCollection<string>? numbers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in ContactsAsync(modifiedSince, since, alreadyRead, ofCustomers, cancellationToken).ConfigureAwait(false)) yield return chunk;
        if (numbers is not { Count: > 0 }) yield break;
        var byNumber = _context.Bc.GetContactsAsync(new BcContactQuery { Numbers = numbers, PersonsOnly = true }, cancellationToken);
        await foreach (var chunk in Chunk(byNumber, cancellationToken).ConfigureAwait(false)) yield return chunk;
    }

    private async IAsyncEnumerable<List<BcContact>> ContactsAsync(bool modifiedSince, DateTimeOffset? since, IReadOnlyDictionary<Guid, ReadVersion>? alreadyRead,
        IReadOnlyCollection<string>? ofCustomers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Only persons become leads, so company contacts are never read (resolving them costs calls per customer).
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (modifiedSince)
        {
            var query = new BcContactQuery { ModifiedSince = since, PersonsOnly = true, AlreadyRead = alreadyRead };
            // Remembered only when a second read by customer follows (a first run reads every contact and stops here).
            var secondReadFollows = since is not null && ofCustomers is { Count: > 0 };
            await foreach (var chunk in Chunk(_context.Bc.GetContactsAsync(query, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                if (secondReadFollows) foreach (var contact in chunk) seen.Add(contact.Number);
                yield return chunk;
            }
            if (since is null) yield break; // a first run has just read every contact
        }
        if (ofCustomers is null || ofCustomers.Count == 0) yield break;

        // Few customers: their contacts by customer (calls grow with the customers). Many: one scan of all persons.
        var scan = ofCustomers.Count > ScanAbove;
        var wanted = scan ? ofCustomers as ISet<string> ?? new HashSet<string>(ofCustomers, StringComparer.OrdinalIgnoreCase) : null;
        var byCustomer = _context.Bc.GetContactsAsync(
            new BcContactQuery { CustomerNumbers = scan ? null : ofCustomers.ToArray(), PersonsOnly = true }, cancellationToken);
        await foreach (var chunk in Chunk(byCustomer, cancellationToken).ConfigureAwait(false))
        {
            var fresh = chunk.Where(c => (wanted is null || (c.CustomerNumber is { } n && wanted.Contains(n))) && seen.Add(c.Number)).ToList();
            if (fresh.Count > 0) yield return fresh;
        }
    }

    /// <summary>Above this many customers, reading their contacts customer by customer costs more calls than one scan.</summary>
    private const int ScanAbove = 200;

    /// <summary>Reads the customers (with financial details) that contacts belong to but the run has not seen yet.</summary>
    public async Task FillCustomersAsync(IEnumerable<BcContact> contacts, Dictionary<string, BcCustomer> known, CancellationToken cancellationToken)
    {
        var missing = contacts.Select(c => c.CustomerNumber).OfType<string>().Where(n => n.Length > 0 && !known.ContainsKey(n))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (missing.Length == 0) return;
        var query = new BcCustomerQuery { Numbers = missing, IncludeFinancialDetails = true };
        await foreach (var customer in _context.Bc.GetCustomersAsync(query, cancellationToken).ConfigureAwait(false))
            known[customer.Number] = customer;
    }

    private async IAsyncEnumerable<List<T>> Chunk<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new List<T>(_context.ChunkSize);
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(item);
            if (chunk.Count < _context.ChunkSize) continue;
            yield return chunk;
            chunk = new List<T>(_context.ChunkSize);
        }
        if (chunk.Count > 0) yield return chunk;
    }

    private static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items) yield return item;
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
