using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>The system query options of one request, parsed against the entity set they address.</summary>
public sealed class ODataQuery
{
    private static readonly string[] Known = ["$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$skiptoken", "$schemaversion", "$format"];

    public ODataFilter? Filter { get; private init; }
    public IReadOnlyList<BcProperty>? Select { get; private init; }
    public IReadOnlyList<BcNavigation> Expand { get; private init; } = Array.Empty<BcNavigation>();
    public IReadOnlyList<(BcProperty Property, bool Descending)> OrderBy { get; private init; } = Array.Empty<(BcProperty, bool)>();
    public int? Top { get; private init; }
    public int? Skip { get; private init; }
    public string? SkipToken { get; private init; }

    public static ODataQuery Parse(IReadOnlyDictionary<string, string> query, EntityShape shape)
    {
        foreach (var key in query.Keys.Where(k => k.StartsWith('$')))
            if (!Known.Contains(key, StringComparer.Ordinal))
                throw new BcException(501, "BadRequest_NotImplemented", $"The query option '{key}' is not supported by the sandbox.");

        return new ODataQuery
        {
            Filter = query.TryGetValue("$filter", out var filter) && filter.Trim().Length > 0 ? ODataFilterParser.Parse(filter, shape) : null,
            Select = query.TryGetValue("$select", out var select) ? List(select).Select(shape.Property).ToArray() : null,
            Expand = query.TryGetValue("$expand", out var expand) ? List(expand).Select(n => Navigation(shape, n)).ToArray() : Array.Empty<BcNavigation>(),
            OrderBy = query.TryGetValue("$orderby", out var orderBy) ? List(orderBy).Select(o => OrderTerm(shape, o)).ToArray() : Array.Empty<(BcProperty, bool)>(),
            Top = query.TryGetValue("$top", out var top) ? NonNegative(top) : null,
            Skip = query.TryGetValue("$skip", out var skip) ? NonNegative(skip) : null,
            SkipToken = query.GetValueOrDefault("$skiptoken"),
        };
    }

    /// <summary>Filters and sorts; the sort always ends with the table's primary key so the order is total.</summary>
    public List<object> Apply(IEnumerable<object> rows, EntityShape shape)
    {
        var list = Filter is null ? rows.ToList() : rows.Where(Filter.Matches).ToList();
        var keys = SortKeys(shape);
        list.Sort((a, b) => CompareRows(a, b, keys));
        return list;
    }

    public IReadOnlyList<(BcProperty Property, bool Descending)> SortKeys(EntityShape shape)
    {
        var keys = OrderBy.ToList();
        if (keys.All(k => k.Property.Name != shape.DefaultOrder)) keys.Add((shape.Property(shape.DefaultOrder), false));
        return keys;
    }

    /// <summary>The opaque $skiptoken: the sort-key values of the last row served, so later pages survive inserts and deletes.</summary>
    public static string SkipTokenFor(object lastRow, IReadOnlyList<(BcProperty Property, bool Descending)> keys)
    {
        var values = keys.Select(k => ODataWriter.Invariant(k.Property, k.Property.Get(lastRow))).ToArray();
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(values));
    }

    /// <summary>Index of the first row after the position a skiptoken marks.</summary>
    public static int IndexAfter(List<object> sorted, string skipToken, IReadOnlyList<(BcProperty Property, bool Descending)> keys)
    {
        string?[] values;
        try
        {
            values = JsonSerializer.Deserialize<string?[]>(Base64Url.DecodeFromChars(skipToken)) ?? throw BcErrors.Syntax();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw BcErrors.Syntax();
        }
        if (values.Length != keys.Count) throw BcErrors.Syntax();
        var marker = keys.Select((k, i) => ParseInvariant(k.Property, values[i])).ToArray();
        var low = 0;
        var high = sorted.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (CompareToMarker(sorted[mid], marker, keys) <= 0) low = mid + 1; else high = mid;
        }
        return low;
    }

    private static int CompareRows(object a, object b, IReadOnlyList<(BcProperty Property, bool Descending)> keys)
    {
        foreach (var (property, descending) in keys)
        {
            var c = ODataValues.Compare(property.Get(a), property.Get(b));
            if (c != 0) return descending ? -c : c;
        }
        return 0;
    }

    private static int CompareToMarker(object row, object?[] marker, IReadOnlyList<(BcProperty Property, bool Descending)> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var c = ODataValues.Compare(keys[i].Property.Get(row), marker[i]);
            if (c != 0) return keys[i].Descending ? -c : c;
        }
        return 0;
    }

    private static object? ParseInvariant(BcProperty property, string? text) => text is null ? null : property.Kind switch
    {
        EdmKind.Guid => Guid.Parse(text, CultureInfo.InvariantCulture),
        EdmKind.Decimal => decimal.Parse(text, CultureInfo.InvariantCulture),
        EdmKind.Int32 or EdmKind.Int64 => long.Parse(text, CultureInfo.InvariantCulture),
        EdmKind.Boolean => text == "true",
        EdmKind.DateTimeOffset => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        EdmKind.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => text,
    };

    private static IEnumerable<string> List(string value) => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static BcNavigation Navigation(EntityShape shape, string name)
    {
        if (name.Contains('(', StringComparison.Ordinal))
            throw new BcException(501, "BadRequest_NotImplemented", "Nested query options inside $expand are not supported by the sandbox.");
        if (shape.Navigation.TryGetValue(name, out var navigation)) return navigation;
        if (shape.Edm.Navigation.ContainsKey(name))
            throw new BcException(501, "BadRequest_NotImplemented", $"The sandbox does not simulate the navigation property '{name}'.");
        throw BcErrors.NoSuchProperty(name, shape.Edm);
    }

    private static (BcProperty, bool) OrderTerm(EntityShape shape, string term)
    {
        var parts = term.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 2 || (parts.Length == 2 && parts[1] is not ("asc" or "desc"))) throw BcErrors.Syntax();
        return (shape.Property(parts[0]), parts.Length == 2 && parts[1] == "desc");
    }

    private static int NonNegative(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw BcErrors.Syntax();
}
