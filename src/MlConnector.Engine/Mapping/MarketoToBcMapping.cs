using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlConnector.Engine.Mapping;

/// <summary>The Business Central record a reverse mapping fills.</summary>
public enum BcEntity { Customer, Contact }

/// <summary>Who a Business Central field belongs to: the owner's value wins on update; the other side fills it only on create.</summary>
public enum FieldOwner { Marketo, BusinessCentral }

/// <summary>One Marketo field, or one line of a multi-line one ("address#2": the second line of address).</summary>
public sealed record LeadSource(string Field, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{Field}#{line}" : Field;
}

/// <summary>One Business Central field filled from one Marketo field, or several joined by a space (first and last name).</summary>
public sealed record ReverseField(BcEntity Entity, string BcField, IReadOnlyList<LeadSource> Sources, FieldOwner Owner)
{
    public string Name => (Entity == BcEntity.Customer ? "customer." : "contact.") + BcField;

    public override string ToString() => $"{Name} <- {string.Join(" + ", Sources)} ({Owner})";
}

/// <summary>
/// Which leads may become Business Central customers: a company (unless turned off), a valid email (always: it is how
/// a lead and a contact are matched), and optionally a field marketing sets, such as a status or a boolean.
/// </summary>
public sealed record LeadQualification(bool RequireCompany, string? Field, IReadOnlyList<string> Values);

/// <summary>
/// The Marketo → Business Central mapping: the customer and person-contact fields filled from a lead, their owners, and
/// the qualification rule. Read from the "marketoToBc" section of the mapping file over the shipped defaults.
/// Account and financial fields (currency, payment terms, credit limit, blocked, ...) are never filled from Marketo.
/// </summary>
public sealed class MarketoToBcMapping
{
    public const string Section = "marketoToBc";

    private MarketoToBcMapping(IReadOnlyList<ReverseField> customer, IReadOnlyList<ReverseField> contact, LeadQualification qualification)
    {
        Customer = customer;
        Contact = contact;
        Qualification = qualification;
    }

    public IReadOnlyList<ReverseField> Customer { get; }
    public IReadOnlyList<ReverseField> Contact { get; }
    public LeadQualification Qualification { get; }

    public IReadOnlyList<ReverseField> Fields(BcEntity entity) => entity == BcEntity.Customer ? Customer : Contact;

    /// <summary>The Marketo fields the mapping and the qualification read, plus the lead's keys.</summary>
    public IReadOnlyList<string> LeadFields()
    {
        var names = new List<string> { "id", "email", "company", "externalCompanyId", "updatedAt" };
        names.AddRange(Customer.Concat(Contact).SelectMany(f => f.Sources).Select(s => s.Field));
        if (Qualification.Field is { } field) names.Add(field);
        return names.Distinct(StringComparer.Ordinal).ToArray();
    }

    public static MarketoToBcMapping Default() => Build(DefaultSection(), null);

    /// <summary>The defaults with a user mapping file's "marketoToBc" section on top (other sections belong to BC → Marketo).</summary>
    public static MarketoToBcMapping FromUserJson(string json)
    {
        JsonObject? user;
        try
        {
            user = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("The mapping must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new MappingException("MappingFileInvalid", "The mapping file is not valid JSON: " + ex.Message, innerException: ex);
        }
        return Build(DefaultSection(), user[Section] as JsonObject);
    }

    private static JsonObject DefaultSection() => (JsonObject)JsonNode.Parse(MappingLoader.DefaultJson())![Section]!;

    private static MarketoToBcMapping Build(JsonObject defaults, JsonObject? user)
    {
        if (user is not null)
        {
            foreach (var (key, _) in user)
                if (key is not ("customer" or "contact" or "marketoOwns" or "businessCentralOwns" or "qualify"))
                    throw Invalid($"Unknown key '{key}' in {Section}; expected customer, contact, marketoOwns, businessCentralOwns or qualify.", key);
        }
        var customer = Merge(BcEntity.Customer, defaults["customer"] as JsonObject, user?["customer"] as JsonObject);
        var contact = Merge(BcEntity.Contact, defaults["contact"] as JsonObject, user?["contact"] as JsonObject);
        var owners = Overrides(defaults, user);
        var all = customer.Concat(contact).ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, owner) in owners)
        {
            if (!all.ContainsKey(name))
                throw Invalid($"{Section}: '{name}' in marketoOwns/businessCentralOwns is not a mapped field; write it as customer.<field> or contact.<field> of a mapped field.", name);
            all[name] = all[name] with { Owner = owner };
        }
        if (!all.ContainsKey("contact.email"))
            throw new MappingException("MappingKeyRemoved", $"The {Section} mapping must fill contact.email: a lead and a Business Central contact are matched by it.", "contact.email");
        if (!all.ContainsKey("customer.displayName") || !all.ContainsKey("contact.displayName"))
            throw new MappingException("MappingKeyRemoved", $"The {Section} mapping must fill customer.displayName and contact.displayName: Business Central requires them.", "displayName");
        return new MarketoToBcMapping(
            all.Values.Where(f => f.Entity == BcEntity.Customer).ToArray(),
            all.Values.Where(f => f.Entity == BcEntity.Contact).ToArray(),
            ReadQualification(defaults["qualify"] as JsonObject, user?["qualify"] as JsonObject));
    }

    private static List<ReverseField> Merge(BcEntity entity, JsonObject? defaults, JsonObject? user)
    {
        var section = entity == BcEntity.Customer ? "customer" : "contact";
        var owner = Owner(user?["owner"] ?? defaults?["owner"], $"{Section}.{section}.owner");
        var fields = new Dictionary<string, ReverseField>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in Fields(entity, defaults?["fields"] as JsonObject, owner)) fields[field.BcField] = field;
        if (user is not null)
        {
            foreach (var (key, _) in user)
                if (key is not ("owner" or "fields" or "remove"))
                    throw Invalid($"Unknown key '{key}' in {Section}.{section}; expected owner, fields or remove.", key);
            if (user["remove"] is JsonArray remove)
                foreach (var name in remove) fields.Remove(name?.GetValue<string>() ?? "");
            // A new owner for the section applies to its default fields too.
            foreach (var name in fields.Keys.ToArray()) fields[name] = fields[name] with { Owner = owner };
            foreach (var field in Fields(entity, user["fields"] as JsonObject, owner)) fields[field.BcField] = field;
        }
        return fields.Values.ToList();
    }

    private static IEnumerable<ReverseField> Fields(BcEntity entity, JsonObject? fields, FieldOwner owner)
    {
        if (fields is null) yield break;
        foreach (var (target, source) in fields)
        {
            var bcField = BcWritableFields.Require(entity, target);
            IReadOnlyList<LeadSource> sources = source switch
            {
                JsonValue value when value.TryGetValue<string>(out var one) => [Source(one, target)],
                JsonArray many when many.Count > 0 => many.Select(s => Source(s?.GetValue<string>() ?? "", target)).ToArray(),
                _ => throw Invalid($"{Section}.{target}: name a Marketo field, or a list of them to join with a space.", target),
            };
            yield return new ReverseField(entity, bcField, sources, owner);
        }
    }

    private static LeadSource Source(string text, string target)
    {
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        var field = (hash < 0 ? text : text[..hash]).Trim();
        if (field.Length == 0) throw Invalid($"{Section}.{target}: an empty Marketo field name.", target);
        if (hash < 0) return new LeadSource(field);
        return int.TryParse(text[(hash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var line) && line >= 1
            ? new LeadSource(field, line)
            : throw Invalid($"{Section}.{target}: '{text}' — after # comes a line number from 1 (address#1, address#2).", target);
    }

    private static IEnumerable<(string Name, FieldOwner Owner)> Overrides(JsonObject defaults, JsonObject? user)
    {
        foreach (var (key, owner) in new[] { ("marketoOwns", FieldOwner.Marketo), ("businessCentralOwns", FieldOwner.BusinessCentral) })
        {
            var list = user?[key] ?? defaults[key];
            if (list is null) continue;
            if (list is not JsonArray names) throw Invalid($"{Section}.{key} must be a list of customer.<field> and contact.<field> names.", key);
            foreach (var name in names) yield return (name?.GetValue<string>() ?? "", owner);
        }
    }

    private static FieldOwner Owner(JsonNode? node, string where)
    {
        var text = node?.GetValue<string>() ?? nameof(FieldOwner.Marketo);
        return Enum.TryParse<FieldOwner>(text, ignoreCase: true, out var owner)
            ? owner
            : throw Invalid($"{where} must be Marketo or BusinessCentral, not '{text}'.", "owner");
    }

    private static LeadQualification ReadQualification(JsonObject? defaults, JsonObject? user)
    {
        if (user is not null)
            foreach (var (key, _) in user)
                if (key is not ("requireCompany" or "field" or "values"))
                    throw Invalid($"Unknown key '{key}' in {Section}.qualify; expected requireCompany, field or values.", key);
        var requireCompany = (user?["requireCompany"] ?? defaults?["requireCompany"])?.GetValue<bool>() ?? true;
        var field = (user is not null && user.ContainsKey("field") ? user["field"] : defaults?["field"])?.GetValue<string>();
        var values = (user?["values"] ?? defaults?["values"]) is JsonArray array
            ? array.Select(v => v?.ToString() ?? "").Where(v => v.Length > 0).ToArray()
            : [];
        return new LeadQualification(requireCompany, string.IsNullOrWhiteSpace(field) ? null : field.Trim(), values);
    }

    private static MappingException Invalid(string message, string? field) => new("MappingFileInvalid", message, field);
}
