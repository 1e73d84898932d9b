using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.SyncRunner;

/// <summary>
/// Compares Marketo's state (read through the admin API) with what BC holds (read through the BC API): every
/// customer not blocked for all transactions one company by externalCompanyId (unless Companies are read-only under
/// CRM sync), every person contact with a usable email and not Privacy Blocked one lead per distinct normalized email. Lost = expected but absent; duplicates =
/// more than one company per externalCompanyId or lead per email.
/// </summary>
internal static class Verification
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, CancellationToken cancellationToken)
    {
        using var admin = new AdminApi(sandbox);
        List<BcCustomer> customers;
        List<BcContact> contacts;
        using (var bc = await admin.ConnectBusinessCentralAsync(cancellationToken))
        {
            customers = await AdminApi.ToListAsync(bc.GetCustomersAsync(new BcCustomerQuery(), cancellationToken), cancellationToken);
            contacts = await AdminApi.ToListAsync(bc.GetContactsAsync(new BcContactQuery { PersonsOnly = true }, cancellationToken), cancellationToken);
        }
        var persons = contacts.Where(c => string.Equals(c.Type, "Person", StringComparison.OrdinalIgnoreCase)).ToList();
        var crmSync = (await admin.GetAsync("marketo/state", cancellationToken)).GetProperty("crmSync").GetBoolean();

        // What the default mapping sends: customers not blocked for all transactions, and persons not Privacy Blocked.
        var expectedCompanies = crmSync ? new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            : customers.Where(c => !string.Equals(c.Blocked, "All", StringComparison.OrdinalIgnoreCase)).Select(c => c.Number).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var expectedLeads = persons.Where(c => !c.PrivacyBlocked && EmailRules.Problem(c.Email) is null).Select(c => EmailRules.Normalize(c.Email!)).ToHashSet(StringComparer.Ordinal);

        var companies = (await admin.ListAsync("marketo/companies", cancellationToken)).Select(c => c.GetProperty("externalCompanyId").GetString() ?? "").ToList();
        var leads = (await admin.ListAsync("marketo/leads", cancellationToken))
            .Select(l => l.GetProperty("fields").TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String ? EmailRules.Normalize(e.GetString()!) : "")
            .ToList();

        var companySet = companies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var leadSet = leads.Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
        var lostCompanies = expectedCompanies.Count(n => !companySet.Contains(n));
        var lostLeads = expectedLeads.Count(e => !leadSet.Contains(e));
        var duplicateCompanies = companies.Count - companies.Distinct(StringComparer.OrdinalIgnoreCase).Count();
        var duplicateLeads = leads.Where(e => e.Length > 0).GroupBy(e => e, StringComparer.Ordinal).Sum(g => g.Count() - 1);

        return new Dictionary<string, object?>
        {
            ["mode"] = "verify",
            ["crmSync"] = crmSync,
            ["customers"] = customers.Count,
            ["contacts"] = contacts.Count,
            ["personContacts"] = persons.Count,
            ["expectedCompanies"] = expectedCompanies.Count,
            ["expectedLeads"] = expectedLeads.Count,
            ["marketoCompanies"] = companies.Count,
            ["marketoLeads"] = leads.Count,
            ["lostCompanies"] = lostCompanies,
            ["lostLeads"] = lostLeads,
            ["duplicateCompanies"] = duplicateCompanies,
            ["duplicateLeads"] = duplicateLeads,
            ["extraCompanies"] = companySet.Count(n => !expectedCompanies.Contains(n)),
            ["extraLeads"] = leadSet.Count(e => !expectedLeads.Contains(e)),
            ["lost"] = lostCompanies + lostLeads,
            ["duplicates"] = duplicateCompanies + duplicateLeads,
        };
    }
}
