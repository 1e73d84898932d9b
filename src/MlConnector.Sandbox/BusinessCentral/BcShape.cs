namespace MlConnector.Sandbox.BusinessCentral;

public enum EdmKind { String, Guid, Decimal, Boolean, DateTimeOffset, Date, Int32, Int64, Enum }

/// <summary>
/// A $metadata property bound to where the simulator keeps its value. Null <see cref="Set"/> means read-only.
/// <see cref="Filterable"/> is false for values the AL page computes (page variables), which BC cannot pass to SQL as a filter.
/// </summary>
public sealed class BcProperty(EdmProperty edm, Func<object, object?> get, Action<object, object?>? set, bool filterable = true)
{
    public EdmProperty Edm { get; } = edm;
    public bool Filterable { get; } = filterable;
    public string Name => Edm.Name;
    public Func<object, object?> Get { get; } = get;
    public Action<object, object?>? Set { get; } = set;
    public string[]? EnumMembers { get; } = BcEnums.Members(edm.Type);

    public EdmKind Kind { get; } = edm.Type switch
    {
        "Edm.String" => EdmKind.String,
        "Edm.Guid" => EdmKind.Guid,
        "Edm.Decimal" => EdmKind.Decimal,
        "Edm.Boolean" => EdmKind.Boolean,
        "Edm.DateTimeOffset" => EdmKind.DateTimeOffset,
        "Edm.Date" => EdmKind.Date,
        "Edm.Int32" => EdmKind.Int32,
        "Edm.Int64" => EdmKind.Int64,
        _ when BcEnums.Members(edm.Type) is not null => EdmKind.Enum,
        _ => throw new InvalidOperationException($"Unsupported EDM type {edm.Type} on {edm.Name}."),
    };
}

/// <summary>A navigation property the simulator can follow: to one row (or null) or to a collection.</summary>
public sealed record BcNavigation(string Name, string TargetSet, bool IsCollection, Func<object, object?> Resolve);

/// <summary>An entity set as the API serves it: the $metadata entity type with value accessors, key and default order.</summary>
public sealed class EntityShape
{
    private readonly Dictionary<string, BcProperty> _byName;

    public EntityShape(string entitySet, string table, EdmEntityType edm, IReadOnlyList<BcProperty> properties, IReadOnlyDictionary<string, BcNavigation> navigation, string defaultOrder)
    {
        EntitySet = entitySet;
        Table = table;
        Edm = edm;
        Properties = properties;
        Navigation = navigation;
        DefaultOrder = defaultOrder;
        _byName = properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public string EntitySet { get; }

    /// <summary>The AL table caption used in error messages ("Customer", "Contact").</summary>
    public string Table { get; }
    public EdmEntityType Edm { get; }
    public IReadOnlyList<BcProperty> Properties { get; }
    public IReadOnlyDictionary<string, BcNavigation> Navigation { get; }

    /// <summary>The table's primary key, which BC pages sort by when no $orderby is given.</summary>
    public string DefaultOrder { get; }

    public BcProperty? Find(string name) => _byName.GetValueOrDefault(name);

    public BcProperty Property(string name) => Find(name) ?? throw BcErrors.NoSuchProperty(name, Edm);
}

/// <summary>Binds accessors to every property of a $metadata entity type; refuses to build if one is missing or misspelt.</summary>
internal sealed class ShapeBuilder<T>(string entitySet, string table, string edmType, string defaultOrder) where T : class
{
    private readonly Dictionary<string, (Func<object, object?> Get, Action<object, object?>? Set)> _accessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BcNavigation> _navigation = new(StringComparer.Ordinal);
    private readonly HashSet<string> _computed = new(StringComparer.Ordinal);

    public ShapeBuilder<T> Get(string name, Func<T, object?> get)
    {
        _accessors.Add(name, (o => get((T)o), null));
        return this;
    }

    /// <summary>A read-only value the page computes in OnAfterGetRecord (not a table field): it is shown but cannot be filtered on.</summary>
    public ShapeBuilder<T> Computed(string name, Func<T, object?> get)
    {
        _computed.Add(name);
        return Get(name, get);
    }

    public ShapeBuilder<T> Edit<TValue>(string name, Func<T, object?> get, Action<T, TValue> set)
    {
        _accessors.Add(name, (o => get((T)o), (o, v) => set((T)o, (TValue)v!)));
        return this;
    }

    public ShapeBuilder<T> To(string name, string targetSet, bool collection, Func<T, object?> resolve)
    {
        _navigation.Add(name, new BcNavigation(name, targetSet, collection, o => resolve((T)o)));
        return this;
    }

    public EntityShape Build()
    {
        var edm = BcSchema.Type(edmType);
        var missing = edm.Properties.Select(p => p.Name).Except(_accessors.Keys).ToArray();
        var extra = _accessors.Keys.Except(edm.Properties.Select(p => p.Name)).Concat(_navigation.Keys.Except(edm.Navigation.Keys)).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
            throw new InvalidOperationException($"{edmType}: missing [{string.Join(",", missing)}], not in $metadata [{string.Join(",", extra)}].");
        var properties = edm.Properties.Select(p => new BcProperty(p, _accessors[p.Name].Get, _accessors[p.Name].Set, !_computed.Contains(p.Name))).ToArray();
        return new EntityShape(entitySet, table, edm, properties, _navigation, defaultOrder);
    }
}
