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
    private readonly BcResources _resources;
    private readonly BcHttpEndpoint _http;
    private IReadOnlyList<string> _contactEmails = Array.Empty<string>();

    public BusinessCentralSimulator(BusinessCentralOptions options, SandboxClock clock, EntraSimulator entra)
    {
        Options = options;
        Clock = clock;
        Entra = entra;
        if (options.RegisteredAppIds.Count == 0) options.RegisteredAppIds.Add(entra.Options.ClientId);
        Store = new BcDataStore(clock, options.LocalCurrencyCode, options);
        Shapes = new BcShapes(Store);
        Limiter = new BcRateLimiter(options, clock);
        _resources = new BcResources(Shapes, options);
        Webhooks = new BcWebhooks(options, clock, Store);
        _http = new BcHttpEndpoint(options, clock, entra, Limiter, _resources, new BcBatch(_resources, Store, options), Webhooks);
    }

    public BusinessCentralOptions Options { get; }
    public SandboxClock Clock { get; }
    public EntraSimulator Entra { get; }
    public BcDataStore Store { get; }
    public BcShapes Shapes { get; }
    public BcRateLimiter Limiter { get; }
    public BcWebhooks Webhooks { get; }
    public string TenantId => Entra.Options.TenantId;
    public Guid CompanyId => Store.Company.Id;

    /// <summary>Replaces the data with <paramref name="customers"/> deterministic customers (and their contacts) from <paramref name="seed"/>.</summary>
    public void Seed(int customers, int seed)
    {
        lock (Store.Gate)
        {
            var seeder = new BcSeeder(Store, Options, new Random(seed));
            seeder.Seed(customers);
            _contactEmails = seeder.Emails;
        }
    }

    /// <summary>E-mails of the seeded person contacts (including invalid and duplicate ones), for seeding Marketo leads.</summary>
    public IReadOnlyList<string> ContactEmails() => _contactEmails;

    public BcFinancials Financials(Guid customerId)
    {
        lock (Store.Gate) return BcPosting.Financials(RequireCustomer(customerId), Store.WorkDate);
    }

    /// <summary>Posts a sales invoice (amounts in the customer's currency). Sales count from the day after posting; overdue from the day after due.</summary>
    public void PostSalesInvoice(Guid customerId, decimal amountExcludingTax, decimal taxAmount = 0m, DateOnly? postingDate = null, DateOnly? dueDate = null)
    {
        lock (Store.Gate)
        {
            var posting = postingDate ?? Store.WorkDate;
            BcPosting.PostInvoice(Store, RequireCustomer(customerId), amountExcludingTax, taxAmount, posting, dueDate ?? posting.AddDays(30));
        }
    }

    public void PostPayment(Guid customerId, decimal amount)
    {
        lock (Store.Gate) BcPosting.PostPayment(Store, RequireCustomer(customerId), amount);
    }

    /// <summary>A user edits the customer card: the row is stamped and name/address/contact data flow to its company contact.</summary>
    public void ModifyCustomerInUi(Guid customerId, Action<BcCustomer> change)
    {
        lock (Store.Gate)
        {
            var customer = RequireCustomer(customerId);
            Store.Modify(customer, change);
            BcCustomerContacts.SyncCompanyContact(Store, customer);
        }
    }

    public void ModifyContactInUi(Guid contactId, Action<BcContact> change)
    {
        lock (Store.Gate) Store.Modify(Store.Contact(contactId) ?? throw BcErrors.RecordNotFound("Contact", $"Id='{contactId}'"), change);
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
        lock (Store.Gate) Store.DeleteCustomer(RequireCustomer(customerId));
    }

    public void DeleteContact(Guid contactId)
    {
        lock (Store.Gate) Store.DeleteContact(Store.Contact(contactId) ?? throw BcErrors.RecordNotFound("Contact", $"Id='{contactId}'"));
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

    private BcCustomer RequireCustomer(Guid id) => Store.Customer(id) ?? throw BcErrors.RecordNotFound("Customer", $"Id='{id}'");
}
