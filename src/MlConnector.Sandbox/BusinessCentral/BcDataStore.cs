using System.Reflection;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// The one company's tables in memory. Every read and write happens under <see cref="Gate"/>; a $batch with
/// Isolation: snapshot holds it for the whole batch and rolls back through the undo log.
/// </summary>
public sealed class BcDataStore(SandboxClock clock, string localCurrencyCode, BusinessCentralOptions? options = null)
{
    private readonly BcWriteTiming _timing = new(options);
    private readonly Dictionary<Guid, BcCustomer> _customersById = new();
    private readonly Dictionary<string, BcCustomer> _customersByNumber = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Guid, BcContact> _contactsById = new();
    private readonly Dictionary<string, BcContact> _contactsByNumber = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<BcContact>> _contactsByCompanyNumber = new(StringComparer.OrdinalIgnoreCase);
    private List<Action>? _undo;
    private long _rowVersion;
    private long _version;
    private int _lastCustomerNumber;
    private int _lastContactNumber;

    public object Gate { get; } = new();
    public SandboxClock Clock { get; } = clock;
    public string LocalCurrencyCode { get; } = localCurrencyCode;
    public BcCompany Company { get; } = new();
    public List<BcCurrency> Currencies { get; } = new();
    public BcSetupTables Setup { get; } = new();
    public List<BcCustomer> Customers { get; } = new();
    public List<BcContact> Contacts { get; } = new();

    /// <summary>Every stamped insert, modify and delete of a customer or contact: what BC's table triggers see (webhooks listen here).</summary>
    public event Action<BcRecord, BcChangeType>? Changed;

    /// <summary>Registers an undo step with the running <see cref="Atomically{T}"/> scope, if any.</summary>
    public void OnRollback(Action undo) => _undo?.Add(undo);

    /// <summary>The work date: today on the sandbox clock.</summary>
    public DateOnly WorkDate => DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);

    public BcCustomer? Customer(Guid id) => _customersById.GetValueOrDefault(id);
    public BcCustomer? CustomerByNumber(string number) => _customersByNumber.GetValueOrDefault(number);
    public BcContact? Contact(Guid id) => _contactsById.GetValueOrDefault(id);
    public BcContact? ContactByNumber(string number) => _contactsByNumber.GetValueOrDefault(number);
    public BcCurrency? Currency(Guid id) => Currencies.FirstOrDefault(c => c.Id == id);
    public BcCurrency? CurrencyByCode(string code) => Currencies.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>Contacts whose Company No. is <paramref name="companyNumber"/> (the company contact itself included).</summary>
    public IReadOnlyList<BcContact> ContactsOfCompany(string companyNumber)
        => _contactsByCompanyNumber.TryGetValue(companyNumber, out var list) ? list : Array.Empty<BcContact>();

    public string CurrencyCodeOf(BcCustomer customer) => customer.CurrencyId == Guid.Empty ? LocalCurrencyCode : Currency(customer.CurrencyId)?.Code ?? "";

    public decimal ExchangeRateOf(BcCustomer customer) => customer.CurrencyId == Guid.Empty ? 1m : Currency(customer.CurrencyId)?.ExchangeRate ?? 1m;

    public long NextRowVersion() => Interlocked.Increment(ref _rowVersion);

    /// <summary>
    /// Moves on when rows may have changed their place in key order or in the customerContacts view: inserts, deletes,
    /// renumbering, relations, a contact's number, type or company, and rollbacks. A reader that keeps rows in key order
    /// (<see cref="BcKeyedRows"/>) sorts again only when it has moved; an edit that leaves the keys alone does not move it,
    /// as an update on a real tenant does not rebuild the table's index.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Writes become visible after a commit lag (<see cref="BusinessCentralOptions.CommitLag"/>): readers must map each row through <see cref="Visible{T}"/>.</summary>
    public bool Lags => _timing.Lags;

    private void Moved() => Interlocked.Increment(ref _version);

    public string NextCustomerNumber()
    {
        string number;
        do number = "C" + (++_lastCustomerNumber).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
        while (_customersByNumber.ContainsKey(number));
        return number;
    }

    public string NextContactNumber()
    {
        string number;
        do number = "CT" + (++_lastContactNumber).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        while (_contactsByNumber.ContainsKey(number));
        return number;
    }

    /// <summary>Marks a record as modified now (server time, SQL datetime precision) with a new etag, visible once its write commits.</summary>
    public void Stamp(BcRecord record)
    {
        record.RowVersion = NextRowVersion();
        (record.LastModified, record.VisibleFrom) = _timing.Next(Clock.GetUtcNow(), record.RowVersion);
    }

    /// <summary>The version of a record readers see now: itself once committed, else its last committed version (null for an uncommitted insert).</summary>
    public T? Visible<T>(T record) where T : BcRecord
        => record.VisibleFrom <= Clock.GetUtcNow() ? record : (T?)record.Committed;

    public void AddCustomer(BcCustomer customer)
    {
        if (_customersByNumber.ContainsKey(customer.Number))
            throw new BcException(400, "Internal_EntityWithSameKeyExists", $"The Customer already exists. Identification fields and values: No.='{customer.Number}'");
        if (customer.RowVersion == 0) customer.RowVersion = NextRowVersion();
        Moved();
        Customers.Add(customer);
        _customersById.Add(customer.Id, customer);
        _customersByNumber.Add(customer.Number, customer);
        _undo?.Add(() => RemoveCustomerCore(customer));
        Changed?.Invoke(customer, BcChangeType.Created);
    }

    public void AddContact(BcContact contact)
    {
        if (_contactsByNumber.ContainsKey(contact.Number))
            throw new BcException(400, "Internal_EntityWithSameKeyExists", $"The Contact already exists. Identification fields and values: No.='{contact.Number}'");
        if (contact.RowVersion == 0) contact.RowVersion = NextRowVersion();
        Moved();
        Contacts.Add(contact);
        _contactsById.Add(contact.Id, contact);
        _contactsByNumber.Add(contact.Number, contact);
        IndexByCompany(contact);
        _undo?.Add(() => RemoveContactCore(contact));
        Changed?.Invoke(contact, BcChangeType.Created);
    }

    /// <summary>Links a company contact to a customer (the Contact Business Relation).</summary>
    public void Relate(BcContact companyContact, BcCustomer customer)
    {
        Moved();
        Remember(customer);
        Remember(companyContact);
        customer.CompanyContact = companyContact;
        companyContact.LinkedCustomer = customer;
        companyContact.BusinessRelation = "Customer";
    }

    /// <summary>Changes a record the way a user or API write does: snapshot for rollback, apply, stamp.</summary>
    public void Modify<T>(T record, Action<T> change, bool stamp = true) where T : BcRecord
    {
        Remember(record);
        var committed = stamp && _timing.Lags ? Visible(record) : null;
        if (committed == record)
        {
            committed = (T)record.ShallowCopy();
            committed.Committed = null;
        }
        var contact = record as BcContact;
        var (oldCompany, oldNumber, oldType) = (contact?.CompanyNumber, contact?.Number, contact?.Type);
        change(record);
        if (contact is not null && (contact.Number != oldNumber || contact.Type != oldType)) Moved();
        if (contact is not null && !string.Equals(oldCompany, contact.CompanyNumber, StringComparison.OrdinalIgnoreCase))
        {
            Moved();
            if (oldCompany is { Length: > 0 } && _contactsByCompanyNumber.TryGetValue(oldCompany, out var list)) list.Remove(contact);
            IndexByCompany(contact);
        }
        if (!stamp) return;
        Stamp(record);
        if (_timing.Lags) record.Committed = committed;
        Changed?.Invoke(record, BcChangeType.Updated);
    }

    public void DeleteCustomer(BcCustomer customer)
    {
        RemoveCustomerCore(customer);
        var contact = customer.CompanyContact;
        if (contact is not null)
        {
            Remember(contact);
            contact.LinkedCustomer = null;
            contact.BusinessRelation = "None";
        }
        _undo?.Add(() =>
        {
            Customers.Add(customer);
            _customersById.Add(customer.Id, customer);
            _customersByNumber.Add(customer.Number, customer);
        });
        Changed?.Invoke(customer, BcChangeType.Deleted);
    }

    public void DeleteContact(BcContact contact)
    {
        RemoveContactCore(contact);
        if (contact.LinkedCustomer is { } customer)
        {
            Remember(customer);
            customer.CompanyContact = null;
        }
        _undo?.Add(() =>
        {
            Contacts.Add(contact);
            _contactsById.Add(contact.Id, contact);
            _contactsByNumber.Add(contact.Number, contact);
            IndexByCompany(contact);
        });
        Changed?.Invoke(contact, BcChangeType.Deleted);
    }

    /// <summary>Runs <paramref name="work"/> atomically: when it reports failure every change it made is undone.</summary>
    public T Atomically<T>(Func<T> work, Func<T, bool> failed)
    {
        lock (Gate)
        {
            var outer = _undo;
            var mine = new List<Action>();
            _undo = mine;
            var committed = false;
            try
            {
                var result = work();
                if (failed(result)) Rollback(mine); else committed = true;
                return result;
            }
            catch
            {
                Rollback(mine);
                throw;
            }
            finally
            {
                _undo = outer;
                if (committed) outer?.AddRange(mine);
            }
        }
    }

    private void Rollback(List<Action> undo)
    {
        Moved();
        _undo = null;
        for (var i = undo.Count - 1; i >= 0; i--) undo[i]();
        undo.Clear();
    }

    /// <summary>Keeps a field-by-field copy so a rollback can restore the record in place.</summary>
    private void Remember(BcRecord record)
    {
        if (_undo is null) return;
        var before = record.ShallowCopy();
        var ledger = (record as BcCustomer)?.Ledger.Copy();
        _undo.Add(() =>
        {
            CopyInto(before, record);
            if (record is BcCustomer customer && ledger is not null) customer.Ledger = ledger;
            if (record is BcContact contact) { RemoveFromCompanyIndex(contact); IndexByCompany(contact); }
        });
    }

    private static void CopyInto(BcRecord from, BcRecord to)
    {
        foreach (var property in to.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.CanWrite) property.SetValue(to, property.GetValue(from));
    }

    private void IndexByCompany(BcContact contact)
    {
        if (contact.CompanyNumber.Length == 0) return;
        if (!_contactsByCompanyNumber.TryGetValue(contact.CompanyNumber, out var list))
            _contactsByCompanyNumber[contact.CompanyNumber] = list = new List<BcContact>(4);
        if (!list.Contains(contact)) list.Add(contact);
    }

    private void RemoveFromCompanyIndex(BcContact contact)
    {
        foreach (var list in _contactsByCompanyNumber.Values) list.Remove(contact);
    }

    private void RemoveCustomerCore(BcCustomer customer)
    {
        Moved();
        Customers.Remove(customer);
        _customersById.Remove(customer.Id);
        _customersByNumber.Remove(customer.Number);
    }

    private void RemoveContactCore(BcContact contact)
    {
        Moved();
        Contacts.Remove(contact);
        _contactsById.Remove(contact.Id);
        _contactsByNumber.Remove(contact.Number);
        if (contact.CompanyNumber.Length > 0 && _contactsByCompanyNumber.TryGetValue(contact.CompanyNumber, out var list)) list.Remove(contact);
    }

    /// <summary>Renumbering needs the number index to follow.</summary>
    public void Renumber(BcCustomer customer, string newNumber)
        => Renumber(_customersByNumber, "Customer", customer, c => c.Number, (c, n) => c.Number = n, newNumber);

    public void Renumber(BcContact contact, string newNumber)
        => Renumber(_contactsByNumber, "Contact", contact, c => c.Number, (c, n) => c.Number = n, newNumber);

    private void Renumber<T>(Dictionary<string, T> byNumber, string entity, T row, Func<T, string> number, Action<T, string> setNumber, string newNumber)
    {
        var old = number(row);
        if (string.Equals(old, newNumber, StringComparison.OrdinalIgnoreCase)) { setNumber(row, newNumber); return; }
        if (byNumber.ContainsKey(newNumber))
            throw new BcException(400, "Internal_EntityWithSameKeyExists", $"The {entity} already exists. Identification fields and values: No.='{newNumber}'");
        Moved();
        byNumber.Remove(old);
        setNumber(row, newNumber);
        byNumber[newNumber] = row;
        _undo?.Add(() => { byNumber.Remove(newNumber); byNumber[old] = row; });
    }
}
