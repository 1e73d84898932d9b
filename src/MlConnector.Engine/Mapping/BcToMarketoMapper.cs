using System.Globalization;
using System.Reflection;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Mapping;

/// <summary>
/// Turns BC customers into Marketo companies and BC person contacts into Marketo leads, by a <see cref="MappingSet"/>.
/// A company key prefix (several BC companies into one Marketo) goes before the company key and before the lead's
/// link to its company, which is the lead field named like the company key.
/// </summary>
public sealed class BcToMarketoMapper
{
    private readonly MappingSet _mapping;
    private readonly string _prefix;

    public BcToMarketoMapper(MappingSet mapping, string? companyKeyPrefix = null)
    {
        _mapping = mapping;
        _prefix = companyKeyPrefix ?? "";
    }

    public MappingSet Mapping => _mapping;

    public string CompanyKeyPrefix => _prefix;

    public MarketoRecord MapCustomer(BcCustomer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var fields = Fill(_mapping.Company.Fields, customer);
        var key = _prefix + customer.Number;
        if (_prefix.Length > 0 && fields.GetValueOrDefault(_mapping.Company.KeyField) is string mapped) fields[_mapping.Company.KeyField] = _prefix + mapped;
        return new MarketoRecord(MarketoRecord.Company, "Customer", customer.Number, key, fields, ContentHash.Of(fields)) { SourceId = NonEmpty(customer.Id) };
    }

    /// <summary>Why a customer must not become a company (blocked for all transactions, unless the mapping sends those); null when it may.</summary>
    public string? SkipReason(BcCustomer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return _mapping.WhenCustomerBlocked == BlockedCustomerAction.Skip && string.Equals(customer.Blocked, "All", StringComparison.OrdinalIgnoreCase)
            ? SyncReasons.CustomerBlocked : null;
    }

    /// <summary>
    /// Maps a person contact to a lead, or returns the reason it cannot be one (Privacy Blocked, no usable email, not a person).
    /// <paramref name="customer"/> supplies the account attributes when <paramref name="withAccountFields"/>.
    /// </summary>
    public MappedLead MapContact(BcContact contact, BcCustomer? customer, bool withAccountFields)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (!string.Equals(contact.Type, "Person", StringComparison.OrdinalIgnoreCase))
            return MappedLead.Skip(contact, "NotAPerson");
        if (contact.PrivacyBlocked)
            return MappedLead.Skip(contact, SyncReasons.PrivacyBlocked);
        if (EmailRules.Problem(contact.Email) is { } problem)
            return MappedLead.Skip(contact, problem);

        var fields = Fill(_mapping.Lead.Fields, contact);
        fields[_mapping.Lead.KeyField] = contact.Email.Trim();
        if (_prefix.Length > 0 && fields.GetValueOrDefault(_mapping.Company.KeyField) is string companyKey) fields[_mapping.Company.KeyField] = _prefix + companyKey;
        if (withAccountFields && customer is not null)
        {
            foreach (var (target, value) in Fill(_mapping.LeadAccountFields, customer)) fields[target] = value;
        }
        var record = new MarketoRecord(MarketoRecord.Lead, "Contact", contact.Number, contact.Email.Trim(), fields, ContentHash.Of(fields)) { SourceId = NonEmpty(contact.Id) };
        return new MappedLead(contact, record, null);
    }

    /// <summary>
    /// What the mapping's whenPrivacyBlocked does to the lead (key <paramref name="leadKey"/>, Marketo id when known) of
    /// a contact that became Privacy Blocked: updateOnly with unsubscribed set and every field the connector writes
    /// (but the email) cleared, or a delete. Never creates a lead.
    /// </summary>
    public MarketoRecord MapPrivacyBlocked(BcContact contact, string leadKey, long? marketoId, bool withAccountFields)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var keyField = _mapping.Lead.KeyField;
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal) { [keyField] = leadKey };
        if (_mapping.WhenPrivacyBlocked == PrivacyBlockedAction.DeleteLead)
        {
            // The hash stands for "deleted"; the id rides along for Delete Leads and is not part of it.
            var hash = DeletedHashPrefix + ContentHash.Of(fields);
            if (marketoId is { } id) fields["id"] = id;
            return new MarketoRecord(MarketoRecord.Lead, "Contact", contact.Number, leadKey, fields, hash)
                { SourceId = NonEmpty(contact.Id), Write = MarketoWriteKind.Delete, Reason = SyncReasons.PrivacyBlocked };
        }
        var cleared = _mapping.Lead.Fields.Concat(withAccountFields ? _mapping.LeadAccountFields : []).Select(f => f.Target);
        foreach (var target in cleared.Where(t => !string.Equals(t, keyField, StringComparison.Ordinal))) fields[target] = null;
        fields[UnsubscribedField] = true;
        return new MarketoRecord(MarketoRecord.Lead, "Contact", contact.Number, leadKey, fields, ContentHash.Of(fields))
            { SourceId = NonEmpty(contact.Id), Write = MarketoWriteKind.UpdateOnly, Reason = SyncReasons.PrivacyBlocked };
    }

    /// <summary>Marketo's standard lead field the Unsubscribe policy sets.</summary>
    public const string UnsubscribedField = "unsubscribed";

    /// <summary>Marks the content hash kept for a lead the connector deleted.</summary>
    internal const string DeletedHashPrefix = "deleted:";

    /// <summary>Whether leads carry the account attributes, given whether Marketo Companies are writable.</summary>
    public bool LeadsCarryAccountFields(bool companiesWritable) => _mapping.LeadAccountFieldsWhen switch
    {
        LeadAccountFieldsWhen.Always => true,
        LeadAccountFieldsWhen.Never => false,
        _ => !companiesWritable,
    };

    private static Guid? NonEmpty(Guid id) => id == Guid.Empty ? null : id;

    private static Dictionary<string, object?> Fill(IReadOnlyList<FieldMapping> mappings, object source)
    {
        // Sized for the mapped fields and the few a lead adds (its key, account fields): no growth on every record.
        var fields = new Dictionary<string, object?>(mappings.Count + 4, StringComparer.Ordinal);
        foreach (var mapping in mappings)
        {
            fields[mapping.Target] = mapping.Sources.Count == 1
                ? Convert(Read(source, mapping.Sources[0]))
                : Join(mapping.Sources.Select(s => Convert(Read(source, s))));
        }
        return fields;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), PropertyInfo?> Properties = new();

    private static object? Read(object source, string property) =>
        Properties.GetOrAdd((source.GetType(), property), static key => key.Item1.GetProperty(key.Item2, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase))
            ?.GetValue(source);

    private static object? Convert(object? value) => value switch
    {
        null => null,
        string text => string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
        decimal number => number,
        bool flag => flag,
        DateTimeOffset time => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Guid id => id == Guid.Empty ? null : id.ToString("D"),
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string? Join(IEnumerable<object?> parts)
    {
        var text = string.Join("\n", parts.OfType<string>());
        return text.Length == 0 ? null : text;
    }
}

/// <summary>The outcome of mapping one contact: a lead record, or the reason it was skipped.</summary>
public sealed record MappedLead(BcContact Contact, MarketoRecord? Record, string? SkipReason)
{
    public static MappedLead Skip(BcContact contact, string reason) => new(contact, null, reason);
}
