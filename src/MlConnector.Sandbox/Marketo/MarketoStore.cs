namespace MlConnector.Sandbox.Marketo;

/// <summary>A lead. Only non-null field values are kept; keys are the schema's own name strings.</summary>
public sealed class LeadRecord(long id, DateTimeOffset createdAt, int partitionId)
{
    public long Id { get; } = id;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public int PartitionId { get; } = partitionId;
    public Dictionary<string, string?> Fields { get; } = new(StringComparer.Ordinal);

    /// <summary>The write-log call that created the lead (0 when it was seeded or imported).</summary>
    public long CreatedByCall { get; set; }

    /// <summary>The company the lead was linked to when it was last written (see <see cref="MarketoOptions.UnknownCompanyLink"/>).</summary>
    public long? CompanyId { get; set; }
}

/// <summary>A static list: its members are lead ids.</summary>
public sealed class StaticList(long id, string name)
{
    public long Id { get; } = id;
    public string Name { get; } = name;
    public HashSet<long> Members { get; } = new();
}

/// <summary>A company, keyed by Marketo id and by its externalCompanyId.</summary>
public sealed class CompanyRecord(long id, string externalCompanyId, DateTimeOffset createdAt)
{
    public long Id { get; } = id;
    public string ExternalCompanyId { get; } = externalCompanyId;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public Dictionary<string, string?> Fields { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Leads, companies and activities of the simulated instance. Callers take <see cref="Gate"/> around
/// a whole batch so a sync call is atomic; member methods assume the gate is held.
/// </summary>
public sealed class MarketoStore
{
    private readonly Dictionary<long, LeadRecord> _leads = new();
    private readonly Dictionary<string, Dictionary<string, List<long>>> _indexes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, CompanyRecord> _companies = new();
    private readonly Dictionary<string, long> _companiesByExternalId = new(StringComparer.OrdinalIgnoreCase);
    private long _nextLeadId = 1000;
    private long _nextCompanyId;

    private readonly MarketoOptions? _options;

    public MarketoStore(FieldSchema leadSchema, FieldSchema companySchema, MarketoOptions? options = null)
    {
        _options = options;
        Activities = new ActivityLog(options);
        LeadSchema = leadSchema;
        CompanySchema = companySchema;
        foreach (var field in leadSchema.Fields.Where(f => f.Searchable && f.Name != "id"))
            _indexes[field.Name] = new Dictionary<string, List<long>>(StringComparer.OrdinalIgnoreCase);
    }

    public object Gate { get; } = new();
    public FieldSchema LeadSchema { get; }
    public FieldSchema CompanySchema { get; }
    public ActivityLog Activities { get; }

    /// <summary>Static lists by id (listId filters, bulk import's listId).</summary>
    public Dictionary<long, StaticList> Lists { get; } = new();
    public int LeadCount => _leads.Count;
    public int CompanyCount => _companies.Count;
    public IEnumerable<LeadRecord> Leads => _leads.Values;
    public IEnumerable<CompanyRecord> Companies => _companies.Values;

    public LeadRecord? Lead(long id) => _leads.GetValueOrDefault(id);

    /// <summary>Lead ids whose searchable field equals the value (ids for "id").</summary>
    public IReadOnlyList<long> FindLeads(string field, string value)
    {
        if (field == "id")
            return long.TryParse(value, out var id) && _leads.ContainsKey(id) ? new[] { id } : Array.Empty<long>();
        if (_indexes.TryGetValue(field, out var index))
            return index.TryGetValue(value, out var ids) ? ids : Array.Empty<long>();
        return _leads.Values.Where(l => string.Equals(l.Fields.GetValueOrDefault(field), value, StringComparison.OrdinalIgnoreCase)).Select(l => l.Id).ToArray();
    }

    public LeadRecord CreateLead(DateTimeOffset now, int partitionId = 1)
    {
        var lead = new LeadRecord(++_nextLeadId, now, partitionId);
        _leads.Add(lead.Id, lead);
        return lead;
    }

    /// <summary>Sets a lead-level value (keeping indexes current); returns the old value.</summary>
    public string? SetLeadField(LeadRecord lead, FieldDef field, string? value)
    {
        var old = lead.Fields.GetValueOrDefault(field.Name);
        if (_indexes.TryGetValue(field.Name, out var index))
        {
            if (old is not null && index.TryGetValue(old, out var ids)) { ids.Remove(lead.Id); if (ids.Count == 0) index.Remove(old); }
            if (value is not null)
            {
                if (!index.TryGetValue(value, out var list)) index[value] = list = new List<long>(1);
                list.Add(lead.Id);
            }
        }
        if (value is null) lead.Fields.Remove(field.Name); else lead.Fields[field.Name] = value;
        return old;
    }

    public bool DeleteLead(long id)
    {
        if (!_leads.TryGetValue(id, out var lead)) return false;
        foreach (var field in LeadSchema.Fields.Where(f => _indexes.ContainsKey(f.Name)).ToArray())
            SetLeadField(lead, field, null);
        return _leads.Remove(id);
    }

    /// <summary>A lead field as read through the API: company fields come from the linked company when there is one.</summary>
    public string? ReadLeadField(LeadRecord lead, FieldDef field)
    {
        switch (field.Name)
        {
            case "id": return lead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "createdAt": return MarketoDates.Format(lead.CreatedAt);
            case "updatedAt": return MarketoDates.Format(lead.UpdatedAt);
            case "leadPartitionId": return lead.PartitionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (field.CompanyField is not null && LinkedCompany(lead) is { } company)
            return company.Fields.GetValueOrDefault(field.CompanyField);
        return lead.Fields.GetValueOrDefault(field.Name);
    }

    /// <summary>The company a lead reads company fields from: the one it was linked to, or (LinkedLater) any company with its externalCompanyId.</summary>
    public CompanyRecord? LinkedCompany(LeadRecord lead)
    {
        if (lead.CompanyId is { } id && _companies.TryGetValue(id, out var linked)) return linked;
        return (_options?.UnknownCompanyLink ?? UnknownCompanyLinkMode.LinkedLater) == UnknownCompanyLinkMode.LinkedLater && lead.Fields.GetValueOrDefault("externalCompanyId") is { } external
            ? CompanyByExternalId(external) : null;
    }

    /// <summary>Links a lead that was just written to the company its externalCompanyId names, if that company exists now.</summary>
    public void Relink(LeadRecord lead)
        => lead.CompanyId = lead.Fields.GetValueOrDefault("externalCompanyId") is { } external ? CompanyByExternalId(external)?.Id : null;

    public CompanyRecord? Company(long id) => _companies.GetValueOrDefault(id);

    public CompanyRecord? CompanyByExternalId(string externalId)
        => _companiesByExternalId.TryGetValue(externalId, out var id) ? _companies[id] : null;

    public CompanyRecord CreateCompany(string externalId, DateTimeOffset now)
    {
        var company = new CompanyRecord(++_nextCompanyId, externalId, now);
        _companies.Add(company.Id, company);
        _companiesByExternalId[externalId] = company.Id;
        return company;
    }

    public bool DeleteCompany(long id)
    {
        if (!_companies.Remove(id, out var company)) return false;
        _companiesByExternalId.Remove(company.ExternalCompanyId);
        return true;
    }

    public string? ReadCompanyField(CompanyRecord company, FieldDef field) => field.Name switch
    {
        "id" => company.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "externalCompanyId" => company.ExternalCompanyId,
        "createdAt" => MarketoDates.Format(company.CreatedAt),
        "updatedAt" => MarketoDates.Format(company.UpdatedAt),
        _ => company.Fields.GetValueOrDefault(field.Name),
    };

    /// <summary>"First Last", else the email: the New Lead activity's primary attribute value.</summary>
    public static string LeadName(LeadRecord lead)
    {
        var name = $"{lead.Fields.GetValueOrDefault("firstName")} {lead.Fields.GetValueOrDefault("lastName")}".Trim();
        return name.Length > 0 ? name : lead.Fields.GetValueOrDefault("email") ?? lead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
