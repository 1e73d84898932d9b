using System.Xml.Linq;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>One structural property of an entity type, exactly as the captured $metadata declares it.</summary>
public sealed record EdmProperty(string Name, string Type, int? MaxLength, bool Nullable);

/// <summary>An entity type from the captured $metadata: its properties (in document order) and navigation properties.</summary>
public sealed record EdmEntityType(string Name, IReadOnlyList<EdmProperty> Properties, IReadOnlyDictionary<string, string> Navigation)
{
    public string FullName => "Microsoft.NAV." + Name;

    public EdmProperty? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);
}

/// <summary>The captured BC API v2.0 $metadata (embedded resource), parsed once per process.</summary>
public static class BcSchema
{
    public const string ResourceName = "bc-api-v2.0-metadata.edmx.xml";
    private static readonly Lazy<byte[]> LazyEdmx = new(LoadEdmx);
    private static readonly Lazy<IReadOnlyDictionary<string, EdmEntityType>> LazyTypes = new(() => Parse(LazyEdmx.Value));

    public static byte[] Edmx => LazyEdmx.Value;

    public static IReadOnlyDictionary<string, EdmEntityType> EntityTypes => LazyTypes.Value;

    public static EdmEntityType Type(string name) => EntityTypes[name];

    public static IReadOnlyDictionary<string, EdmEntityType> Parse(byte[] edmx)
    {
        using var stream = new MemoryStream(edmx);
        var doc = XDocument.Load(stream);
        var result = new Dictionary<string, EdmEntityType>(StringComparer.Ordinal);
        foreach (var type in doc.Descendants().Where(e => e.Name.LocalName == "EntityType"))
        {
            var properties = type.Elements().Where(e => e.Name.LocalName == "Property").Select(p => new EdmProperty(
                (string)p.Attribute("Name")!, (string)p.Attribute("Type")!,
                p.Attribute("MaxLength") is { } max && int.TryParse(max.Value, out var m) ? m : null,
                (string?)p.Attribute("Nullable") != "false")).ToArray();
            var navigation = type.Elements().Where(e => e.Name.LocalName == "NavigationProperty")
                .ToDictionary(n => (string)n.Attribute("Name")!, n => (string)n.Attribute("Type")!, StringComparer.Ordinal);
            var name = (string)type.Attribute("Name")!;
            result[name] = new EdmEntityType(name, properties, navigation);
        }
        return result;
    }

    private static byte[] LoadEdmx()
    {
        using var stream = typeof(BcSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing; the build could not find shared/specs.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
