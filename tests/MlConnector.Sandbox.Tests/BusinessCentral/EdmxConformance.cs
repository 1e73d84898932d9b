using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>
/// Holds every BC entity a test sees to the captured $metadata: only property names of its entity type, JSON types
/// matching the EDM types, enum members that exist, and string lengths within MaxLength. Parsed here independently
/// of the simulator's own schema code.
/// </summary>
public static partial class EdmxConformance
{
    private static readonly Lazy<Model> Edmx = new(Load);

    public static int EntitiesChecked => _checked;
    private static int _checked;

    /// <summary>Checks one entity object of the given entity type (e.g. "customer"), including expanded navigation properties.</summary>
    public static void AssertEntity(JsonElement entity, string entityType)
    {
        var model = Edmx.Value;
        Assert.True(model.Types.TryGetValue(entityType, out var type), $"Entity type {entityType} is not in $metadata.");
        Assert.Equal(JsonValueKind.Object, entity.ValueKind);
        Assert.True(entity.TryGetProperty("@odata.etag", out var etag) && etag.GetString()!.StartsWith("W/\"", StringComparison.Ordinal), $"{entityType} has no weak @odata.etag");
        foreach (var member in entity.EnumerateObject())
        {
            if (member.Name.StartsWith("@odata.", StringComparison.Ordinal)) continue;
            if (type!.Navigation.TryGetValue(member.Name, out var target))
            {
                if (member.Value.ValueKind == JsonValueKind.Array) foreach (var item in member.Value.EnumerateArray()) AssertEntity(item, target);
                else if (member.Value.ValueKind != JsonValueKind.Null) AssertEntity(member.Value, target);
                continue;
            }
            Assert.True(type.Properties.TryGetValue(member.Name, out var property), $"'{member.Name}' is not a property of {entityType} in $metadata.");
            AssertValue(model, entityType, property!, member.Value);
        }
        Interlocked.Increment(ref _checked);
    }

    public static void AssertCollection(JsonElement body, string entityType)
    {
        Assert.True(body.TryGetProperty("@odata.context", out _), "collection without @odata.context");
        foreach (var item in body.GetProperty("value").EnumerateArray()) AssertEntity(item, entityType);
    }

    public static IReadOnlyCollection<string> PropertyNames(string entityType) => Edmx.Value.Types[entityType].Properties.Keys;

    private static void AssertValue(Model model, string entityType, Prop property, JsonElement value)
    {
        var where = $"{entityType}.{property.Name}";
        if (value.ValueKind == JsonValueKind.Null)
        {
            Assert.True(property.Nullable, $"{where} is null but Nullable=false");
            return;
        }
        switch (property.Type)
        {
            case "Edm.String":
                Assert.True(value.ValueKind == JsonValueKind.String, $"{where} should be a string");
                if (property.MaxLength is int max) Assert.True(value.GetString()!.Length <= max, $"{where} longer than MaxLength {max}: {value}");
                break;
            case "Edm.Guid":
                Assert.True(value.ValueKind == JsonValueKind.String && Guid.TryParseExact(value.GetString(), "D", out _), $"{where} should be a guid string: {value}");
                break;
            case "Edm.Decimal":
                Assert.True(value.ValueKind == JsonValueKind.Number, $"{where} should be a number");
                break;
            case "Edm.Int32" or "Edm.Int64":
                Assert.True(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), $"{where} should be an integer");
                break;
            case "Edm.Boolean":
                Assert.True(value.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{where} should be a boolean");
                break;
            case "Edm.Date":
                Assert.True(value.ValueKind == JsonValueKind.String && DatePattern().IsMatch(value.GetString()!)
                    && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"{where} should be yyyy-MM-dd: {value}");
                break;
            case "Edm.DateTimeOffset":
                Assert.True(value.ValueKind == JsonValueKind.String && DateTimePattern().IsMatch(value.GetString()!)
                    && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"{where} should be an ISO DateTimeOffset: {value}");
                break;
            default:
                Assert.True(model.Enums.TryGetValue(property.Type, out var members), $"{where} has unknown type {property.Type}");
                Assert.True(value.ValueKind == JsonValueKind.String && members!.Contains(value.GetString()!), $"{where} = {value} is not a member of {property.Type}");
                break;
        }
    }

    private sealed record Prop(string Name, string Type, int? MaxLength, bool Nullable);

    private sealed record EntityType(Dictionary<string, Prop> Properties, Dictionary<string, string> Navigation);

    private sealed record Model(Dictionary<string, EntityType> Types, Dictionary<string, HashSet<string>> Enums);

    private static Model Load()
    {
        using var stream = typeof(SandboxHost).Assembly.GetManifestResourceStream("bc-api-v2.0-metadata.edmx.xml")!;
        var doc = XDocument.Load(stream);
        var types = new Dictionary<string, EntityType>();
        foreach (var t in doc.Descendants().Where(e => e.Name.LocalName == "EntityType"))
        {
            var props = t.Elements().Where(e => e.Name.LocalName == "Property").ToDictionary(p => (string)p.Attribute("Name")!, p => new Prop(
                (string)p.Attribute("Name")!, (string)p.Attribute("Type")!, (int?)p.Attribute("MaxLength"), (string?)p.Attribute("Nullable") != "false"));
            var nav = t.Elements().Where(e => e.Name.LocalName == "NavigationProperty").ToDictionary(n => (string)n.Attribute("Name")!,
                n => ((string)n.Attribute("Type")!).Replace("Collection(", "").Replace(")", "").Replace("Microsoft.NAV.", ""));
            types[(string)t.Attribute("Name")!] = new EntityType(props, nav);
        }
        var enums = doc.Descendants().Where(e => e.Name.LocalName == "EnumType").ToDictionary(e => "Microsoft.NAV." + (string)e.Attribute("Name")!,
            e => e.Elements().Select(m => (string)m.Attribute("Name")!).ToHashSet());
        return new Model(types, enums);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimePattern();
}
