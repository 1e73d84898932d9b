using System.Globalization;
using System.Reflection;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// Echo suppression by content, both ways, through the BC → Marketo record state (what the connector last wrote to each
/// lead, as a content hash). A lead whose forward-mapped fields hash to exactly that is only the connector's own write
/// coming back, and is not sent to Business Central. After the reverse flow writes a contact, the forward state is set to
/// the contact's forward-mapped content when Marketo verifiably holds it already, so the next BC → Marketo pass does not
/// send it again unless someone changes it in Business Central.
/// </summary>
internal sealed class ForwardEcho
{
    private readonly SyncContext _context;
    private readonly BcToMarketoMapper _forward;
    private readonly IRecordStates _states;
    private readonly bool _vouches;

    public ForwardEcho(SyncContext context, BcToMarketoMapper forward, MarketoToBcMapper reverse)
    {
        _context = context;
        _forward = forward;
        _states = context.State.Records(SyncDirection.BcToMarketo);
        var forwardFields = LeadFields().ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Equal hashes prove only the forward-mapped fields unchanged: they vouch for a lead only when every field
        // the reverse flow would write on update is among them.
        _vouches = reverse.Mapping.Customer.Concat(reverse.Mapping.Contact).Where(f => f.Owner == FieldOwner.Marketo)
            .SelectMany(f => f.Sources).All(s => forwardFields.Contains(s.Field));
    }

    /// <summary>The Marketo lead fields the forward mapping writes (read with every lead, to compare).</summary>
    public IEnumerable<string> LeadFields()
        => _forward.Mapping.Lead.Fields.Select(f => f.Target)
            .Concat(_forward.Mapping.LeadAccountFieldsWhen == LeadAccountFieldsWhen.Never ? [] : _forward.Mapping.LeadAccountFields.Select(f => f.Target));

    /// <summary>The ids of the leads that hold exactly what the connector last wrote to them.</summary>
    public HashSet<long> Echoes(IReadOnlyCollection<MarketoLead> leads)
    {
        var echoes = new HashSet<long>();
        if (!_vouches || leads.Count == 0) return echoes;
        var keyed = leads.Where(l => l.Email is not null).ToList();
        var states = _states.Get(keyed.Select(l => TargetKey(l.Email!)).Distinct(StringComparer.Ordinal));
        foreach (var lead in keyed)
        {
            if (!states.TryGetValue(TargetKey(lead.Email!), out var state)) continue;
            if (Variants(lead).Any(fields => ContentHash.Of(fields) == state.ContentHash)) echoes.Add(lead.Id);
        }
        return echoes;
    }

    /// <summary>
    /// After a write to <paramref name="contact"/> from <paramref name="lead"/>: when every field the forward mapping would
    /// send for the contact already has that value in Marketo, that content is what Marketo holds, and is kept as the
    /// forward state. Leads that carry account attributes (they need the customer's financial figures) are left alone.
    /// </summary>
    public RecordState? Seed(MarketoLead lead, BcContact contact)
    {
        if (CarriesAccountFields()) return null;
        var mapped = _forward.MapContact(contact, null, withAccountFields: false);
        if (mapped.Record is not { } record) return null;
        foreach (var (field, value) in record.Fields)
        {
            var held = lead[field];
            var planned = Text(value);
            var same = string.Equals(field, _forward.Mapping.Lead.KeyField, StringComparison.Ordinal)
                ? string.Equals(held, planned, StringComparison.OrdinalIgnoreCase)
                : string.Equals(held, planned, StringComparison.Ordinal);
            if (!same) return null;
        }
        return new RecordState(record.TargetKey, record.SourceNumber, record.ContentHash, lead.Id.ToString(CultureInfo.InvariantCulture), _context.Time.GetUtcNow());
    }

    private bool CarriesAccountFields() => _forward.Mapping.LeadAccountFieldsWhen switch
    {
        LeadAccountFieldsWhen.Never => false,
        LeadAccountFieldsWhen.Always => true,
        _ => _context.Marketo.CompaniesWritable != true,
    };

    private static string TargetKey(string email) => MarketoRecord.Lead + ":" + email.Trim().ToLowerInvariant();

    /// <summary>The lead's forward fields typed as the forward mapper types them; with and without the account attributes.</summary>
    private IEnumerable<Dictionary<string, object?>> Variants(MarketoLead lead)
    {
        var fields = Typed(lead, _forward.Mapping.Lead.Fields, typeof(BcContact));
        yield return fields;
        if (_forward.Mapping.LeadAccountFieldsWhen == LeadAccountFieldsWhen.Never || _forward.Mapping.LeadAccountFields.Count == 0) yield break;
        var withAccount = new Dictionary<string, object?>(fields, StringComparer.Ordinal);
        foreach (var (name, value) in Typed(lead, _forward.Mapping.LeadAccountFields, typeof(BcCustomer))) withAccount[name] = value;
        yield return withAccount;
    }

    private static Dictionary<string, object?> Typed(MarketoLead lead, IReadOnlyList<FieldMapping> mappings, Type source)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var mapping in mappings)
        {
            var text = lead[mapping.Target];
            var type = mapping.Sources.Count == 1
                ? source.GetProperty(mapping.Sources[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType
                : typeof(string);
            fields[mapping.Target] = Typed(text, Nullable.GetUnderlyingType(type ?? typeof(string)) ?? type ?? typeof(string));
        }
        return fields;
    }

    private static object? Typed(string? text, Type type)
    {
        if (text is null) return null;
        if (type == typeof(decimal)) return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : text;
        if (type == typeof(bool)) return bool.TryParse(text, out var b) ? b : text;
        if (type == typeof(DateTimeOffset))
            return MarketoDates.Parse(text) is { } at ? at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : text;
        return text;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        _ => MarketoLead.Text(value),
    };
}
