using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>/admin/bc/...: switches and back-office changes (postings, UI edits, adds and deletes) for the standalone program.</summary>
internal static class BcAdminEndpoints
{
    public static void Map(IEndpointRouteBuilder admin, BusinessCentralSimulator bc)
    {
        admin.MapGet("/bc", () => Results.Ok(Settings(bc)));
        admin.MapPost("/bc/settings", (BcSettings body) =>
        {
            var o = bc.Options;
            if (body.RetryAfterOn429 is bool retryAfter) o.RetryAfterOn429 = retryAfter;
            if (body.RequestsPerWindow is int perWindow) o.RequestsPerWindow = perWindow;
            if (body.RateWindowSeconds is double window) o.RateWindow = TimeSpan.FromSeconds(window);
            if (body.MaxConcurrentRequests is int concurrent) o.MaxConcurrentRequests = concurrent;
            if (body.MaxQueuedRequests is int queued) o.MaxQueuedRequests = queued;
            if (body.ProcessingDelayMs is int delay) o.ProcessingDelay = TimeSpan.FromMilliseconds(delay);
            if (body.DefaultPageSize is int pageSize) o.DefaultPageSize = pageSize;
            if (body.RegisteredAppIds is { } apps) { o.RegisteredAppIds.Clear(); o.RegisteredAppIds.AddRange(apps); }
            if (body.CustomerTemplate is { } template)
            {
                var unknown = template.Keys.Where(k => bc.Shapes.Customer.Find(k) is not { Set: not null }).ToArray();
                if (unknown.Length > 0) return Results.BadRequest(new { error = $"Not writable customer properties: {string.Join(", ", unknown)}" });
                o.CustomerTemplate.Clear();
                foreach (var (name, value) in template) o.CustomerTemplate[name] = value.Clone();
            }
            if (body.CommitLagSeconds is double lag) o.CommitLag = TimeSpan.FromSeconds(lag);
            if (body.SecondServerSkewSeconds is double skew) o.SecondServerSkew = TimeSpan.FromSeconds(skew);
            bc.Limiter.Reset();
            return Results.Ok(Settings(bc));
        });

        admin.MapPost("/bc/customers/{id:guid}/invoices", (Guid id, InvoiceBody body) => Run(() =>
            bc.PostSalesInvoice(id, body.AmountExcludingTax, body.TaxAmount ?? 0m, body.PostingDate, body.DueDate), () => bc.Financials(id)));
        admin.MapPost("/bc/customers/{id:guid}/payments", (Guid id, PaymentBody body) => Run(() => bc.PostPayment(id, body.Amount), () => bc.Financials(id)));
        admin.MapGet("/bc/customers/{id:guid}/financials", (Guid id) => Run(() => { }, () => bc.Financials(id)));

        admin.MapPost("/bc/customers", (JsonElement body) => Write(bc, () =>
        {
            var name = body.TryGetProperty("displayName", out var n) ? n.GetString() ?? "" : throw BcErrors.Dialog("A \"displayName\" must be provided.");
            var customer = bc.AddCustomer(name);
            bc.Store.Modify(customer, c => BcBodyReader.Apply(bc.Shapes.Customer, c, body, creating: true));
            BcCustomerContacts.SyncCompanyContact(bc.Store, customer);
            return new { customer.Id, customer.Number, companyContactNumber = customer.CompanyContact?.Number };
        }));
        admin.MapPost("/bc/contacts", (JsonElement body) => Write(bc, () =>
        {
            var contact = bc.AddPersonContact("New contact", "", body.TryGetProperty("companyNumber", out var company) ? company.GetString() : null);
            bc.Store.Modify(contact, c => BcBodyReader.Apply(bc.Shapes.Contact, c, body, creating: true));
            return new { contact.Id, contact.Number };
        }));
        admin.MapPost("/bc/customers/{id:guid}/modify", (Guid id, JsonElement body) => Write(bc, () =>
        {
            bc.ModifyCustomerInUi(id, c => BcBodyReader.Apply(bc.Shapes.Customer, c, body, creating: false));
            return new { id };
        }));
        admin.MapPost("/bc/contacts/{id:guid}/modify", (Guid id, JsonElement body) => Write(bc, () =>
        {
            bc.ModifyContactInUi(id, c => BcBodyReader.Apply(bc.Shapes.Contact, c, body, creating: false));
            return new { id };
        }));
        admin.MapDelete("/bc/customers/{id:guid}", (Guid id) => Run(() => bc.DeleteCustomer(id), () => (object?)null));
        admin.MapDelete("/bc/contacts/{id:guid}", (Guid id) => Run(() => bc.DeleteContact(id), () => (object?)null));
    }

    private static object Settings(BusinessCentralSimulator bc) => new
    {
        tenantId = bc.TenantId, environment = bc.Options.EnvironmentName, companyId = bc.CompanyId, companyName = bc.Options.CompanyName,
        registeredAppIds = bc.Options.RegisteredAppIds, requestsPerWindow = bc.Options.RequestsPerWindow, rateWindowSeconds = bc.Options.RateWindow.TotalSeconds,
        maxConcurrentRequests = bc.Options.MaxConcurrentRequests, maxQueuedRequests = bc.Options.MaxQueuedRequests, retryAfterOn429 = bc.Options.RetryAfterOn429,
        processingDelayMs = bc.Options.ProcessingDelay.TotalMilliseconds, defaultPageSize = bc.Options.DefaultPageSize,
        commitLagSeconds = bc.Options.CommitLag.TotalSeconds, secondServerSkewSeconds = bc.Options.SecondServerSkew.TotalSeconds,
        customerTemplate = bc.Options.CustomerTemplate,
        customers = bc.Store.Customers.Count, contacts = bc.Store.Contacts.Count,
    };

    private static IResult Run<T>(Action action, Func<T> result)
    {
        try
        {
            action();
            var value = result();
            return value is null ? Results.NoContent() : Results.Ok(value);
        }
        catch (BcException e)
        {
            return Results.Json(new { error = new { code = e.Code, message = e.Message } }, statusCode: e.Status);
        }
    }

    private static IResult Write<T>(BusinessCentralSimulator bc, Func<T> work)
    {
        try
        {
            return Results.Ok(bc.Store.Atomically(work, _ => false));
        }
        catch (BcException e)
        {
            return Results.Json(new { error = new { code = e.Code, message = e.Message } }, statusCode: e.Status);
        }
    }

    public sealed record BcSettings(bool? RetryAfterOn429, int? RequestsPerWindow, double? RateWindowSeconds, int? MaxConcurrentRequests, int? MaxQueuedRequests,
        int? ProcessingDelayMs, int? DefaultPageSize, List<string>? RegisteredAppIds, double? CommitLagSeconds = null, double? SecondServerSkewSeconds = null,
        Dictionary<string, JsonElement>? CustomerTemplate = null);

    public sealed record InvoiceBody(decimal AmountExcludingTax, decimal? TaxAmount, DateOnly? PostingDate, DateOnly? DueDate);

    public sealed record PaymentBody(decimal Amount);
}
