using System.Runtime.CompilerServices;
using System.Text.Json;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// One connection to a Business Central company over API v2.0: token, company, paged reads and writes.
/// Thread-safe; dispose it to release its HTTP connections.
/// </summary>
public sealed partial class BusinessCentralClient : IDisposable
{
    private const string CustomerFinancialDetail = "customerFinancialDetail";
    private readonly BusinessCentralSettings _settings;
    private readonly BcEndpoints _endpoints;
    private readonly BcTokenProvider _tokens;
    private readonly BcHttp _http;
    private readonly BcPagedReader _reader;
    private readonly IEngineLog _log;

    private BusinessCentralClient(BusinessCentralSettings settings, BcEndpoints endpoints, BcTokenProvider tokens, BcHttp http, IEngineLog log)
    {
        _settings = settings;
        _endpoints = endpoints;
        _tokens = tokens;
        _http = http;
        _log = log;
        _reader = new BcPagedReader(http, endpoints, settings.PageSize, log);
    }

    public BcCompanyInfo Company { get; private set; } = null!;

    /// <summary>Every company of the environment, as listed when the client connected (argument completion offers them).</summary>
    public IReadOnlyList<BcCompanyInfo> Companies { get; private set; } = [];

    /// <summary>The Entra tenant: its GUID from the token when it carries one, else as configured (a GUID or a domain).</summary>
    public string TenantId => _tokens.TokenTenantId ?? _settings.TenantId;

    public string Environment => _settings.Environment;

    /// <summary>HTTP requests sent to Business Central (retries included; token requests not).</summary>
    public long CallCount => _http.CallCount;

    /// <summary>
    /// How far Business Central's clock is ahead of this machine's (from the Date header of its last answer; zero before
    /// any). Expiries BC sets, such as a subscription's, are judged on BC's clock.
    /// </summary>
    public TimeSpan ServerClockOffset => _http.ServerClockOffset ?? TimeSpan.Zero;

    /// <summary>How far before a ModifiedSince instant incremental reads start, to catch late commits.</summary>
    public TimeSpan ModifiedSinceOverlap => _settings.ModifiedSinceOverlap;

    /// <summary>Validates settings, gets a token with the client secret and resolves the company.</summary>
    public static Task<BusinessCentralClient> ConnectAsync(BusinessCentralSettings settings, SecretText clientSecret, IEngineLog log,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
        => ConnectAsync(settings, BusinessCentralCredential.FromSecret(clientSecret), log, time, cancellationToken);

    /// <summary>Validates settings, gets a token with the credential (secret or certificate) and resolves the company.</summary>
    public static async Task<BusinessCentralClient> ConnectAsync(BusinessCentralSettings settings, BusinessCentralCredential credential, IEngineLog log,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(log);
        time ??= TimeProvider.System;
        var endpoints = BcEndpoints.From(settings);
        foreach (var warning in endpoints.UntrustedWarnings) log.Warning(EngineWarnings.UntrustedEndpoint, warning);
        var tokens = new BcTokenProvider(settings, credential, time);
        var http = new BcHttp(endpoints.ApiRoot, settings.SandboxTlsThumbprint, tokens, settings.Retry, time, log);
        var client = new BusinessCentralClient(settings, endpoints, tokens, http, log);
        try
        {
            await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            client.Company = await client.ResolveCompanyAsync(cancellationToken).ConfigureAwait(false);
            endpoints.CompanyId = client.Company.Id;
            log.Verbose($"Connected to Business Central environment '{settings.Environment}', company '{client.Company.Name}' ({client.Company.Id}).");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Makes sure a valid token is held; returns its expiry (on the client's clock), never the token.</summary>
    public async Task<DateTimeOffset> EnsureTokenAsync(CancellationToken cancellationToken)
    {
        await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        return _tokens.ExpiresOn;
    }

    public async IAsyncEnumerable<BcCustomer> GetCustomersAsync(BcCustomerQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var expand = query.IncludeFinancialDetails ? CustomerFinancialDetail : null;
        var seen = new HashSet<Guid>();
        foreach (var (filter, pattern) in CustomerReads(query))
        {
            var uri = _endpoints.Company("customers", BcFilter.Query(filter, expand));
            await foreach (var customer in _reader.ReadAsync(uri, "customers", BcJson.Customer, query.OnPage, cancellationToken).ConfigureAwait(false))
            {
                if (pattern is not null && !pattern.IsMatch(customer.Number)) continue;
                if (seen.Add(customer.Id) && !AlreadyReadRecords.Contains(query.AlreadyRead, customer.Id, customer.Version)) yield return customer;
            }
        }
    }

    /// <summary>The reads a customer query needs: number chunks, one per wildcard pattern, or everything.</summary>
    private IEnumerable<(string? Filter, BcNumberPattern? Pattern)> CustomerReads(BcCustomerQuery query)
    {
        if (query.Ids is { } ids) return IdFilters(ids, query.ModifiedSince).Select(f => (f, (BcNumberPattern?)null));
        if (query.NumberPatterns is not { Count: > 0 } patterns) return CustomerFilters(query.Numbers, query.ModifiedSince).Select(f => (f, (BcNumberPattern?)null));
        var modified = ModifiedFilter(query.ModifiedSince);
        var byPattern = patterns.Select(p => ((string?)BcFilter.And(p.Filter("number"), modified), (BcNumberPattern?)p));
        return query.Numbers is { Count: > 0 } numbers
            ? CustomerFilters(numbers, query.ModifiedSince).Select(f => (f, (BcNumberPattern?)null)).Concat(byPattern)
            : byPattern;
    }

    /// <summary>The customer, or null when BC does not have it.</summary>
    public async Task<BcCustomer?> GetCustomerByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = await _http.SendAsync(BcRequest.Get(_endpoints.Company($"customers({id:D})")), cancellationToken).ConfigureAwait(false);
            return doc is null ? null : BcJson.Customer(doc.RootElement);
        }
        catch (BusinessCentralException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    public IAsyncEnumerable<BcContact> GetContactsAsync(BcContactQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new BcContactReader(this).ReadAsync(query, cancellationToken);
    }

    /// <summary>One filter per request: the modified-since term, and number chunks when numbers are given.</summary>
    internal IEnumerable<string?> CustomerFilters(IReadOnlyCollection<string>? numbers, DateTimeOffset? modifiedSince)
    {
        var modified = ModifiedFilter(modifiedSince);
        if (numbers is null) return [modified];
        // BC numbers are Code fields, stored in upper case: c00010 is C00010.
        return BcFilter.AnyOf("number", numbers.Select(BcNumberPattern.Normalize)).Select(chunk => BcFilter.And(chunk, modified));
    }

    /// <summary>"id eq … or id eq …" (SystemIds, unquoted) in chunks, each with the modified-since term.</summary>
    internal IEnumerable<string?> IdFilters(IReadOnlyCollection<Guid> ids, DateTimeOffset? modifiedSince)
    {
        var modified = ModifiedFilter(modifiedSince);
        return ids.Distinct().Chunk(BcFilter.ChunkSize).Select(chunk => (string?)BcFilter.And(string.Join(" or ", chunk.Select(id => BcFilter.Guid("id", id))), modified));
    }

    internal string? ModifiedFilter(DateTimeOffset? since)
        => since is { } s ? BcFilter.ModifiedAfter(s - _settings.ModifiedSinceOverlap) : null;

    internal BcEndpoints Endpoints => _endpoints;
    internal BcPagedReader Reader => _reader;
    internal BcHttp Http => _http;

    private async Task<BcCompanyInfo> ResolveCompanyAsync(CancellationToken cancellationToken)
    {
        var companies = new List<BcCompanyInfo>();
        try
        {
            await foreach (var c in _reader.ReadAsync(_endpoints.Companies(), "companies",
                e => new BcCompanyInfo(BcJson.Guid(e, "id"), BcJson.Str(e, "name"), BcJson.Str(e, "displayName")), null, cancellationToken).ConfigureAwait(false))
                companies.Add(c);
        }
        catch (BusinessCentralException e) when (e.StatusCode == 404)
        {
            // The token was good and the host answered, so what the URL names is missing: the environment.
            throw new BusinessCentralEnvironmentNotFoundException(_settings.Environment, _settings.TenantId, e);
        }
        Companies = companies;

        var wanted = _settings.Company.Trim();
        var match = System.Guid.TryParse(wanted, out var id)
            ? companies.FirstOrDefault(c => c.Id == id)
            : companies.FirstOrDefault(c => string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase))
              ?? companies.FirstOrDefault(c => string.Equals(c.DisplayName, wanted, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new BusinessCentralCompanyNotFoundException(wanted, companies.Select(c => c.Name).ToArray());
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokens.Dispose();
    }
}
