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
        _reader = new BcPagedReader(http, endpoints, settings.PageSize);
    }

    public BcCompanyInfo Company { get; private set; } = null!;

    /// <summary>The Entra tenant: its GUID from the token when it carries one, else as configured (a GUID or a domain).</summary>
    public string TenantId => _tokens.TokenTenantId ?? _settings.TenantId;

    public string Environment => _settings.Environment;

    /// <summary>HTTP requests sent to Business Central (retries included; token requests not).</summary>
    public long CallCount => _http.CallCount;

    /// <summary>How far before a ModifiedSince instant incremental reads start, to catch late commits.</summary>
    public TimeSpan ModifiedSinceOverlap => _settings.ModifiedSinceOverlap;

    /// <summary>Validates settings, gets a token and resolves the company.</summary>
    public static async Task<BusinessCentralClient> ConnectAsync(BusinessCentralSettings settings, SecretText clientSecret, IEngineLog log,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientSecret);
        ArgumentNullException.ThrowIfNull(log);
        time ??= TimeProvider.System;
        var endpoints = BcEndpoints.From(settings);
        var tokens = new BcTokenProvider(settings, clientSecret, time);
        var http = new BcHttp(endpoints.ApiRoot, settings.CertificateThumbprint, tokens, settings.Retry, time, log);
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
        foreach (var filter in CustomerFilters(query.Numbers, query.ModifiedSince))
        {
            var uri = _endpoints.Company("customers", BcFilter.Query(filter, expand));
            await foreach (var customer in _reader.ReadAsync(uri, "customers", BcJson.Customer, query.OnPage, cancellationToken).ConfigureAwait(false))
                if (seen.Add(customer.Id) && !AlreadyReadRecords.Contains(query.AlreadyRead, customer.Id, customer.LastModifiedDateTime)) yield return customer;
        }
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
        return BcFilter.AnyOf("number", numbers).Select(chunk => BcFilter.And(chunk, modified));
    }

    internal string? ModifiedFilter(DateTimeOffset? since)
        => since is { } s ? BcFilter.ModifiedAfter(s - _settings.ModifiedSinceOverlap) : null;

    internal BcEndpoints Endpoints => _endpoints;
    internal BcPagedReader Reader => _reader;
    internal BcHttp Http => _http;

    private async Task<BcCompanyInfo> ResolveCompanyAsync(CancellationToken cancellationToken)
    {
        var companies = new List<BcCompanyInfo>();
        await foreach (var c in _reader.ReadAsync(_endpoints.Companies(), "companies",
            e => new BcCompanyInfo(BcJson.Guid(e, "id"), BcJson.Str(e, "name"), BcJson.Str(e, "displayName")), null, cancellationToken).ConfigureAwait(false))
            companies.Add(c);

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
