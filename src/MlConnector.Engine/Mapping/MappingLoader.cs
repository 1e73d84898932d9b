using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Mapping;

/// <summary>
/// Builds the mapping: the defaults shipped in the engine, then a user file's changes on top.
/// A user file (JSON; the cmdlets turn .psd1 into the same shape) has per object ("company", "lead",
/// "leadAccount") a "fields" object of target → source(s) that adds or retargets, a "remove" list of
/// targets to drop, and the section's choices: company "whenBlocked" (Skip, Send), lead "whenPrivacyBlocked"
/// (Unsubscribe, DeleteLead), leadAccount "when" (CompaniesReadOnly, Always, Never). The "marketoToBc" section is the
/// reverse flow's (<see cref="MarketoToBcMapping"/>).
/// </summary>
public static class MappingLoader
{
    private static readonly string[] Sections = ["company", "lead", "leadAccount", MarketoToBcMapping.Section];

    public static MappingSet Default() => Build(ReadDefault(), userOverrides: null);

    public static MappingSet FromUserJson(string json)
    {
        JsonObject user;
        try
        {
            user = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("The mapping must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new MappingException("MappingFileInvalid", "The mapping file is not valid JSON: " + ex.Message, innerException: ex);
        }
        foreach (var section in user)
        {
            if (!Sections.Contains(section.Key, StringComparer.Ordinal))
                throw new MappingException("MappingFileInvalid", $"Unknown section '{section.Key}' in the mapping file; expected {string.Join(", ", Sections)}.", section.Key);
        }
        return Build(ReadDefault(), user);
    }

    public static string DefaultJson()
    {
        using var stream = typeof(MappingLoader).Assembly.GetManifestResourceStream("MlConnector.Engine.Mapping.DefaultMapping.json")
            ?? throw new InvalidOperationException("The default mapping resource is missing from the engine.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonObject ReadDefault() => (JsonObject)JsonNode.Parse(DefaultJson())!;

    private static MappingSet Build(JsonObject defaults, JsonObject? userOverrides)
    {
        var company = Merge(defaults, userOverrides, "company", typeof(BcCustomer));
        var lead = Merge(defaults, userOverrides, "lead", typeof(BcContact));
        var account = Merge(defaults, userOverrides, "leadAccount", typeof(BcCustomer));
        var when = Choice<LeadAccountFieldsWhen>(defaults, userOverrides, "leadAccount", "when");

        var companyKey = defaults["company"]!["key"]!.GetValue<string>();
        var leadKey = defaults["lead"]!["key"]!.GetValue<string>();
        RequireKey(company, companyKey, "company");
        RequireKey(lead, leadKey, "lead");
        return new MappingSet(new RecordMap(companyKey, company), new RecordMap(leadKey, lead), account, when)
        {
            WhenPrivacyBlocked = Choice<PrivacyBlockedAction>(defaults, userOverrides, "lead", "whenPrivacyBlocked"),
            WhenCustomerBlocked = Choice<BlockedCustomerAction>(defaults, userOverrides, "company", "whenBlocked"),
        };
    }

    /// <summary>A setting of a section (the user's, else the default's), one of <typeparamref name="T"/>'s names.</summary>
    private static T Choice<T>(JsonObject defaults, JsonObject? user, string section, string name) where T : struct, Enum
    {
        var node = user?[section]?[name] ?? defaults[section]?[name];
        var text = node is JsonValue value && value.TryGetValue<string>(out var given) ? given : node?.ToJsonString();
        if (text is not null && Enum.TryParse<T>(text, ignoreCase: true, out var choice) && Enum.IsDefined(choice)) return choice;
        throw new MappingException("MappingFileInvalid", $"{section}.{name} must be {string.Join(", ", Enum.GetNames<T>())}, not '{text}'.", name);
    }

    private static List<FieldMapping> Merge(JsonObject defaults, JsonObject? user, string section, Type sourceType)
    {
        var fields = new Dictionary<string, FieldMapping>(StringComparer.OrdinalIgnoreCase);
        foreach (var mapping in ReadFields(defaults[section]?["fields"] as JsonObject, section)) fields[mapping.Target] = mapping;
        if (user?[section] is JsonObject overrides)
        {
            if (overrides["remove"] is JsonArray remove)
            {
                foreach (var target in remove) fields.Remove(target?.GetValue<string>() ?? "");
            }
            foreach (var mapping in ReadFields(overrides["fields"] as JsonObject, section)) fields[mapping.Target] = mapping;
        }
        foreach (var mapping in fields.Values) RequireSources(mapping, sourceType, section);
        return fields.Values.ToList();
    }

    private static IEnumerable<FieldMapping> ReadFields(JsonObject? fields, string section)
    {
        if (fields is null) yield break;
        foreach (var (target, source) in fields)
        {
            IReadOnlyList<string> sources = source switch
            {
                JsonValue value when value.TryGetValue<string>(out var one) => [one],
                JsonArray many => many.Select(s => s?.GetValue<string>() ?? "").ToArray(),
                _ => throw new MappingException("MappingFileInvalid", $"{section}.fields.{target} must name a BC property or a list of them.", target),
            };
            yield return new FieldMapping(target, sources);
        }
    }

    private static void RequireSources(FieldMapping mapping, Type sourceType, string section)
    {
        foreach (var source in mapping.Sources)
        {
            var property = sourceType.GetProperty(source, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                var known = string.Join(", ", sourceType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name));
                throw new MappingException("MappingSourceUnknown",
                    $"{section}.{mapping.Target}: '{source}' is not a property of a BC {sourceType.Name[2..].ToLowerInvariant()}. Known: {known}.", mapping.Target);
            }
        }
    }

    private static void RequireKey(List<FieldMapping> fields, string key, string section)
    {
        if (!fields.Any(f => string.Equals(f.Target, key, StringComparison.OrdinalIgnoreCase)))
            throw new MappingException("MappingKeyRemoved", $"The {section} mapping must fill its key field '{key}'.", key);
    }
}
