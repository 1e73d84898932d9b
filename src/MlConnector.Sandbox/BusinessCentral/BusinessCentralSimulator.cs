using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlConnector.Sandbox.BusinessCentral.Webhooks;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// Business Central online API v2.0 for one environment and company: customers, financial details, contacts,
/// contact information, customer contacts and currencies, with OData paging, etags, $batch, limits and auth.
/// The C# methods are the "back office": postings and UI edits tests use to change data behind the connector's back.
/// </summary>
public sealed class BusinessCentralSimulator : IServiceSimulator
{
    private readonly List<BcCompanyService> _companies = new();
    private readonly BcHttpEndpoint _http;
    private IReadOnlyList<string> _contactEmails = Array.Empty<string>();

    /// <param name="companies">Companies in the environment (at least one); each has its own tables.</param>
    public BusinessCentralSimulator(BusinessCentralOptions options, SandboxClock clock, EntraSimulator entra, int companies = 1)
    {
        Options = options;
        Clock = clock;
        Entra = entra;
        if (options.RegisteredAppIds.Count == 0) options.RegisteredAppIds.Add(entra.Options.ClientId);
        for (var i = 0; i < Math.Max(1, companies); i++)
        {
            var store = new BcDataStore(clock, options.LocalCurrencyCode, options);
            var shapes = new BcShapes(store);
            _companies.Add(new BcCompanyService(store, shapes, new BcResources(shapes, options, () => _companies.Select(c => c.Store.Company))));
        }
        Limiter = new BcRateLimiter(options, clock);
        var router = new BcCompanyRouter(_companies);
        // The subscriptions API is tenant-level, like BC's; each subscription watches one company's entity set.
        Webhooks = new BcWebhooks(options, clock, Companies);
        _http = new BcHttpEndpoint(options, clock, entra, Limiter, router, new BcBatch(router, options), Webhooks);
    }

    public BusinessCentralOptions Options { get; }
    public SandboxClock Clock { get; }
    public EntraSimulator Entra { get; }
    /// <summary>The first company's tables (the only company unless the sandbox was asked for more).</summary>
    public BcDataStore Store => _companies[0].Store;
    public BcShapes Shapes => _companies[0].Shapes;

    /// <summary>Every company's tables, the first being <see cref="Store"/>. Back-office calls by record id find the record in any of them.</summary>
    public IReadOnlyList<BcDataStore> Companies => _companies.Select(c => c.Store).ToArray();
    public BcRateLimiter Limiter { get; }
    public BcWebhooks Webhooks { get; }
    public string TenantId => Entra.Options.TenantId;
    public Guid CompanyId => Store.Company.Id;

    /// <summary>
    /// Seeds every company with <paramref name="customers"/> deterministic customers (and their contacts): the first from
    /// <paramref name="seed"/>, company n from seed + n - 1, so each has its own people under the same customer numbers.
    /// </summary>
    public void Seed(int customers, int seed)
    {
        for (var i = 0; i < _companies.Count; i++)
        {
            var store = _companies[i].Store;
            lock (store.Gate)
            {
                var seeder = new BcSeeder(store, Options.CompanyIdOf(i + 1), Options.CompanyNameOf(i + 1), new Random(seed + i));
                seeder.Seed(customers);
                if (i == 0) _contactEmails = seeder.Emails;
            }
        }
    }

    /// <summary>E-mails of the first company's seeded person contacts (including invalid and duplicate ones), for seeding Marketo leads.</summary>
    public IReadOnlyList<string> ContactEmails() => _contactEmails;

    public BcFinancials Financials(Guid customerId)
    {
        var store = StoreOfCustomer(customerId);
        lock (store.Gate) return BcPosting.Financials(RequireCustomer(store, customerId), store.WorkDate);
    }

    /// <summary>Posts a sales invoice (amounts in the customer's currency). Sales count from the day after posting; overdue from the day after due.</summary>
    public void PostSalesInvoice(Guid customerId, decimal amountExcludingTax, decimal taxAmount = 0m, DateOnly? postingDate = null, DateOnly? dueDate = null)
    {
        var store = StoreOfCustomer(customerId);
        lock (store.Gate)
        {
            var posting = postingDate ?? store.WorkDate;
            BcPosting.PostInvoice(store, RequireCustomer(store, customerId), amountExcludingTax, taxAmount, posting, dueDate ?? posting.AddDays(30));
        }
    }

    public void PostPayment(Guid customerId, decimal amount)
    {
        var store = StoreOfCustomer(customerId);
        lock (store.Gate) BcPosting.PostPayment(store, RequireCustomer(store, customerId), amount);
    }

    /// <summary>A user edits the customer card: the row is stamped and name/address/contact data flow to its company contact.</summary>
    public void ModifyCustomerInUi(Guid customerId, Action<BcCustomer> change)
    {
        var store = StoreOfCustomer(customerId);
        lock (store.Gate)
        {
            var customer = RequireCustomer(store, customerId);
            store.Modify(customer, change);
            BcCustomerContacts.SyncCompanyContact(store, customer);
        }
    }

    public void ModifyContactInUi(Guid contactId, Action<BcContact> change)
    {
        var store = StoreOfContact(contactId);
        lock (store.Gate) store.Modify(store.Contact(contactId) ?? throw BcErrors.RecordNotFound("Contact", $"Id='{contactId}'"), change);
    }

    /// <summary>Adds a customer as the UI would (number series, timestamps, company contact).</summary>
    public BcCustomer AddCustomer(string displayName, Action<BcCustomer>? init = null)
    {
        lock (Store.Gate)
        {
            var customer = new BcCustomer { Id = Guid.NewGuid(), DisplayName = displayName };
            init?.Invoke(customer);
            if (customer.Number.Length == 0) customer.Number = Store.NextCustomerNumber();
            Store.Stamp(customer);
            Store.AddCustomer(customer);
            BcCustomerContacts.CreateCompanyContact(Store, customer);
            return customer;
        }
    }

    /// <summary>Adds a person contact, optionally under a company contact (by its number).</summary>
    public BcContact AddPersonContact(string displayName, string email, string? companyNumber = null)
    {
        lock (Store.Gate)
        {
            var company = companyNumber is null ? null : Store.ContactByNumber(companyNumber) ?? throw BcErrors.RecordNotFound("Contact", $"No.='{companyNumber}'");
            var contact = new BcContact
            {
                Id = Guid.NewGuid(), Number = Store.NextContactNumber(), DisplayName = displayName, SearchName = displayName.ToUpperInvariant(), Email = email,
                CompanyNumber = company?.Number ?? "", CompanyName = company?.DisplayName ?? "", BusinessRelation = company?.BusinessRelation ?? "None",
            };
            Store.Stamp(contact);
            Store.AddContact(contact);
            return contact;
        }
    }

    public void DeleteCustomer(Guid customerId)
    {
        var store = StoreOfCustomer(customerId);
        lock (store.Gate) store.DeleteCustomer(RequireCustomer(store, customerId));
    }

    public void DeleteContact(Guid contactId)
    {
        var store = StoreOfContact(contactId);
        lock (store.Gate) store.DeleteContact(store.Contact(contactId) ?? throw BcErrors.RecordNotFound("Contact", $"Id='{contactId}'"));
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/v2.0/{tenant}/{environment}/api/v2.0/{**path}", (HttpContext context, string tenant, string environment) => _http.HandleAsync(context, tenant, environment));
        endpoints.Map("/v2.0/{tenant}/{environment}" + BcWebhooks.RuntimeApiMarker + "{**path}",
            (HttpContext context, string tenant, string environment) => _http.HandleAsync(context, tenant, environment, BcWebhooks.RuntimeApiMarker));
        Webhooks.StopWith(endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }

    public void MapAdminEndpoints(IEndpointRouteBuilder admin)
    {
        BcAdminEndpoints.Map(admin, this);
        WebhookAdminEndpoints.Map(admin, Webhooks);
    }

    public Task WriteFaultAsync(HttpContext context, FaultRule rule)
    {
        var status = rule.HttpStatus ?? 500;
        var code = rule.ErrorCode ?? status switch
        {
            400 => "BadRequest", 401 => "Authentication_InvalidCredentials", 403 => "Authorization_InsufficientPermissions", 404 => "BadRequest_ResourceNotFound",
            408 => "Internal_OperationTimeout", 409 => "Request_EntityChanged", 429 => Options.TooManyRequestsCode, 503 => "Internal_ServiceUnavailable", _ => "Internal_ServerError",
        };
        var response = BcResponse.Error(status, code, $"The sandbox injected a {status.ToString(CultureInfo.InvariantCulture)} response.");
        if (rule.RetryAfterSeconds is int seconds && status is 429 or 502 or 503 or 504) response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
        if (status == 401) response.Headers["WWW-Authenticate"] = "Bearer";
        return BcHttpEndpoint.WriteAsync(context, response);
    }

    private static BcCustomer RequireCustomer(BcDataStore store, Guid id) => store.Customer(id) ?? throw BcErrors.RecordNotFound("Customer", $"Id='{id}'");

    // Record ids are GUIDs, unique across companies: the company holding one is the one to change (else the first, which reports it missing).
    private BcDataStore StoreOfCustomer(Guid id) => _companies.Select(c => c.Store).FirstOrDefault(s => { lock (s.Gate) return s.Customer(id) is not null; }) ?? Store;

    private BcDataStore StoreOfContact(Guid id) => _companies.Select(c => c.Store).FirstOrDefault(s => { lock (s.Gate) return s.Contact(id) is not null; }) ?? Store;
}
