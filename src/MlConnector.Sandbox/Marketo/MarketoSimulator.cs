using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

/// <summary>A lead as the API shows it: every non-null field (company fields read through from a linked company).</summary>
public sealed record LeadSnapshot(long Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyDictionary<string, string?> Fields);

/// <summary>A company with its field values.</summary>
public sealed record CompanySnapshot(long Id, string ExternalCompanyId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyDictionary<string, string?> Fields);

/// <summary>
/// The simulated Marketo instance: identity, leads, companies, change feed, usage and limits, on the
/// sandbox's shared clock. Tests and the benchmark read state through the public accessors.
/// </summary>
public sealed class MarketoSimulator : IServiceSimulator
{
    private readonly MarketoStore _store;
    private readonly LeadSync _leadSync;

    public MarketoSimulator(MarketoOptions options, SandboxClock clock)
    {
        Options = options;
        Clock = clock;
        Writes = new MarketoWriteLog(clock);
        _store = new MarketoStore(FieldSchema.ForLeads(options), FieldSchema.ForCompanies(options), options);
        _leadSync = new LeadSync(_store, options, Writes);
        Imports = new BulkImportJobs(_store, options, _leadSync);
        Exports = new BulkExportJobs(_store, options);
        Tokens = new MarketoTokens(options, clock);
        Limiter = new MarketoLimiter(options, clock);
    }

    public MarketoOptions Options { get; }
    public SandboxClock Clock { get; }
    public MarketoTokens Tokens { get; }
    public MarketoLimiter Limiter { get; }

    /// <summary>Bulk Lead Import jobs.</summary>
    public BulkImportJobs Imports { get; }

    /// <summary>Bulk Lead Extract jobs.</summary>
    public BulkExportJobs Exports { get; }

    /// <summary>Every Sync Leads / Sync Companies call with its keys and when it was in flight.</summary>
    public MarketoWriteLog Writes { get; }
    public FieldSchema LeadSchema => _store.LeadSchema;
    public FieldSchema CompanySchema => _store.CompanySchema;

    public int LeadCount { get { lock (_store.Gate) return _store.LeadCount; } }
    public int CompanyCount { get { lock (_store.Gate) return _store.CompanyCount; } }
    public int ActivityCount => _store.Activities.Count;

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var gate = new MarketoGate(Options, Clock, Tokens, Limiter, Writes);
        new IdentityEndpoints(Options, Tokens).Map(endpoints);
        new LeadEndpoints(_store, Options, _leadSync).Map(endpoints, gate);
        new CompanyEndpoints(_store, Options, _leadSync, Writes).Map(endpoints, gate);
        new ActivityEndpoints(_store, Options).Map(endpoints, gate);
        new StatsEndpoints(Options, Limiter).Map(endpoints, gate);
        new BulkImportEndpoints(_store, Options, Imports).Map(endpoints, gate);
        new BulkExportEndpoints(_store, Options, Exports).Map(endpoints, gate);
        MarketoHandler notFound = _ => throw MarketoException.Of("610");
        endpoints.Map("/rest/{**path}", gate.Route(notFound, notFound));
        endpoints.Map("/bulk/{**path}", gate.Route(notFound, notFound));
    }

    public void MapAdminEndpoints(IEndpointRouteBuilder admin) => MarketoAdmin.Map(admin, this);

    /// <summary>
    /// An injected Marketo error code is rendered as Marketo does: HTTP 200 (unless the rule also sets a status)
    /// with success:false and the documented message. An HTTP status alone gets the envelope with that status as code.
    /// Identity faults use the OAuth error body.
    /// </summary>
    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        if (rule.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (SandboxHost.ServiceOf(context.Request.Path) == SandboxService.MarketoIdentity)
        {
            JournalTags.SetNotCounted(context);
            return rule.ErrorCode is { } error
                ? IdentityEndpoints.ErrorAsync(context, rule.HttpStatus ?? 401, error, error == "unauthorized" ? "Bad client credentials" : "Injected fault")
                : IdentityEndpoints.ErrorAsync(context, rule.HttpStatus ?? 500, "server_error", "Internal Server Error");
        }
        if (rule.ErrorCode is { } code)
        {
            var message = code == "606" ? MarketoErrors.Message(code, Options.RateLimit, (int)Options.RateWindow.TotalSeconds) : MarketoErrors.Message(code);
            return MarketoGate.FailAsync(context, code, message, rule.HttpStatus ?? StatusCodes.Status200OK, counted: !MarketoErrors.IsNotCounted(code));
        }
        var status = rule.HttpStatus ?? 500;
        var phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        return MarketoGate.FailAsync(context, status.ToString(System.Globalization.CultureInfo.InvariantCulture), phrase.Length > 0 ? phrase : "Error", status);
    }

    /// <summary>
    /// Leads marketing created before the connector ran: about a third reuse a known (BC contact) email,
    /// the rest are new people. Creation dates spread over the previous 30 days; each gets a New Lead
    /// activity from the marketing user in the UI.
    /// </summary>
    public void SeedLeads(int count, int seed, IReadOnlyList<string> knownEmails)
    {
        if (count <= 0) return;
        var random = new Random(seed);
        var known = knownEmails.Where(e => !string.IsNullOrWhiteSpace(e)).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(_ => random.Next()).ToList();
        var matching = Math.Min(known.Count, (count + 2) / 3);
        var now = Clock.GetUtcNow();
        var start = now - TimeSpan.FromDays(30);
        var step = TimeSpan.FromTicks(TimeSpan.FromDays(30).Ticks / (count + 1));
        string[] firsts = { "Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jonas", "Kira", "Liam", "Mia", "Noah", "Olivia", "Paul" };
        string[] lasts = { "Andersen", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Keller", "Larsen", "Moreau", "Novak" };
        string[] sources = { "Website", "Trade Show", "Webinar", "Paid Search", "Referral" };
        var fields = new[] { "email", "firstName", "lastName", "leadSource", "title" }.Select(n => _store.LeadSchema.Find(n)!).ToArray();

        lock (_store.Gate)
        {
            for (var i = 0; i < count; i++)
            {
                var created = start + step * (i + 1);
                var first = firsts[random.Next(firsts.Length)];
                var last = lasts[random.Next(lasts.Length)];
                var email = i < matching ? known[i] : $"{first}.{last}.{i}@marketing-leads.example".ToLowerInvariant();
                var lead = _store.CreateLead(created);
                _store.SetLeadField(lead, fields[0], email);
                _store.SetLeadField(lead, fields[1], first);
                _store.SetLeadField(lead, fields[2], last);
                _store.SetLeadField(lead, fields[3], sources[random.Next(sources.Length)]);
                if (random.Next(3) == 0) _store.SetLeadField(lead, fields[4], "Marketing Contact");
                _store.Activities.Add(lead.Id, created, ActivityTypes.NewLead, ActivityOrigin.Ui(Options.MarketingUser), MarketoStore.LeadName(lead));
            }
        }
    }

    /// <summary>Companies created by an earlier import (benchmarks): externalCompanyId "SEED-000001"... with a few fields each.</summary>
    public void SeedCompanies(int count, int seed)
    {
        var random = new Random(seed);
        string[] industries = { "Retail", "Manufacturing", "Services", "Food", "Logistics" };
        var fields = new[] { "company", "industry", "billingCity", "numberOfEmployees" }.Select(n => _store.CompanySchema.Find(n)!.Name).ToArray();
        var now = Clock.GetUtcNow();
        lock (_store.Gate)
        {
            for (var i = 1; i <= count; i++)
            {
                var company = _store.CreateCompany(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SEED-{i:D6}"), now);
                company.Fields[fields[0]] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Seed Company {i}");
                company.Fields[fields[1]] = industries[random.Next(industries.Length)];
                company.Fields[fields[2]] = "Chicago";
                company.Fields[fields[3]] = random.Next(1, 5000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>
    /// Edits a lead as a marketing user would: validates each value like the API, writes the changed ones and
    /// records one Change Data Value (13) activity per changed field made in the UI. Returns the number
    /// of changed fields. Throws for an unknown lead, unknown field or invalid value.
    /// </summary>
    public int MarketingEdit(long leadId, IReadOnlyDictionary<string, string?> changes)
    {
        lock (_store.Gate)
        {
            var lead = _store.Lead(leadId) ?? throw new KeyNotFoundException($"Lead {leadId} not found.");
            var values = new List<(FieldDef, string?)>();
            foreach (var (name, value) in changes)
            {
                var field = _store.LeadSchema.Find(name) ?? throw new ArgumentException($"Field '{name}' not found.", nameof(changes));
                if (field.Name is "id" or "createdAt" or "updatedAt") throw new ArgumentException($"Field '{name}' is system managed.", nameof(changes));
                var checkedValue = FieldSchema.Validate(field, value is null ? null : JsonValue.Create(value));
                if (!checkedValue.Ok) throw new ArgumentException(checkedValue.Message, nameof(changes));
                values.Add((field, checkedValue.Value));
            }
            return _leadSync.Apply(lead, values, Clock.GetUtcNow(), ActivityOrigin.Ui(Options.MarketingUser));
        }
    }

    /// <summary>
    /// Creates a lead as a marketing user would in the Marketo UI (or a form fill): values validated like the API, a New
    /// Lead (12) activity from the marketing user with no API attributes. Returns the new lead's id. Throws for an unknown
    /// field, an invalid value, or an email another lead already has.
    /// </summary>
    public long MarketingCreate(IReadOnlyDictionary<string, string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        lock (_store.Gate)
        {
            var values = new List<(FieldDef, string?)>();
            foreach (var (name, value) in fields)
            {
                var field = _store.LeadSchema.Find(name) ?? throw new ArgumentException($"Field '{name}' not found.", nameof(fields));
                if (!field.Updateable) throw new ArgumentException($"Field '{name}' is not updateable.", nameof(fields));
                var checkedValue = FieldSchema.Validate(field, value is null ? null : JsonValue.Create(value));
                if (!checkedValue.Ok) throw new ArgumentException(checkedValue.Message, nameof(fields));
                values.Add((field, checkedValue.Value));
            }
            var email = values.FirstOrDefault(v => v.Item1.Name == "email").Item2;
            if (email is not null && _store.FindLeads("email", email).Count > 0) throw new ArgumentException($"A lead with email '{email}' exists already.", nameof(fields));
            var now = Clock.GetUtcNow();
            var lead = _store.CreateLead(now);
            foreach (var (field, value) in values) _store.SetLeadField(lead, field, value);
            _store.Relink(lead);
            _store.Activities.Add(lead.Id, now, ActivityTypes.NewLead, ActivityOrigin.Ui(Options.MarketingUser), MarketoStore.LeadName(lead));
            return lead.Id;
        }
    }

    /// <summary>Deletes a lead as a marketing user would in the UI (a Delete Lead activity, listed by deletedleads.json). False when there is no such lead.</summary>
    public bool MarketingDelete(long leadId)
    {
        lock (_store.Gate)
        {
            if (_store.Lead(leadId) is not { } lead) return false;
            var name = MarketoStore.LeadName(lead);
            _store.DeleteLead(leadId);
            _store.Activities.Add(leadId, Clock.GetUtcNow(), ActivityTypes.DeleteLead, ActivityOrigin.Ui(Options.MarketingUser), name);
            return true;
        }
    }

    /// <summary>Creates a static list (as marketing would in the UI) with these leads; returns its id.</summary>
    public long CreateList(string name, IEnumerable<long>? leadIds = null)
    {
        lock (_store.Gate)
        {
            var list = new StaticList(_store.Lists.Count + 1001, name);
            _store.Lists.Add(list.Id, list);
            if (leadIds is not null) list.Members.UnionWith(leadIds);
            return list.Id;
        }
    }

    /// <summary>Adds leads to a static list. Throws for an unknown list.</summary>
    public void AddToList(long listId, IEnumerable<long> leadIds)
    {
        lock (_store.Gate) (_store.Lists.GetValueOrDefault(listId) ?? throw new KeyNotFoundException($"List {listId} not found.")).Members.UnionWith(leadIds);
    }

    public IReadOnlyCollection<long> ListMembers(long listId)
    {
        lock (_store.Gate) return _store.Lists.TryGetValue(listId, out var list) ? list.Members.ToArray() : Array.Empty<long>();
    }

    public LeadSnapshot? Lead(long id)
    {
        lock (_store.Gate) return _store.Lead(id) is { } lead ? Snapshot(lead) : null;
    }

    public IReadOnlyList<LeadSnapshot> LeadsByEmail(string email)
    {
        lock (_store.Gate) return _store.FindLeads("email", email).Select(id => Snapshot(_store.Lead(id)!)).ToArray();
    }

    public IReadOnlyList<LeadSnapshot> Leads()
    {
        lock (_store.Gate) return _store.Leads.OrderBy(l => l.Id).Select(Snapshot).ToArray();
    }

    public IReadOnlyList<CompanySnapshot> Companies()
    {
        lock (_store.Gate) return _store.Companies.OrderBy(c => c.Id).Select(Snapshot).ToArray();
    }

    public CompanySnapshot? CompanyByExternalId(string externalCompanyId)
    {
        lock (_store.Gate) return _store.CompanyByExternalId(externalCompanyId) is { } company ? Snapshot(company) : null;
    }

    public IReadOnlyList<ActivityRecord> Activities() => _store.Activities.Snapshot();

    private LeadSnapshot Snapshot(LeadRecord lead)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var field in _store.LeadSchema.Fields)
            if (_store.ReadLeadField(lead, field) is { } value) fields[field.Name] = value;
        return new LeadSnapshot(lead.Id, lead.CreatedAt, lead.UpdatedAt, fields);
    }

    private static CompanySnapshot Snapshot(CompanyRecord company)
        => new(company.Id, company.ExternalCompanyId, company.CreatedAt, company.UpdatedAt, new Dictionary<string, string?>(company.Fields, StringComparer.Ordinal));
}
