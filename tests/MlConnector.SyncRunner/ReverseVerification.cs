using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.SyncRunner;

/// <summary>
/// What a reverse pass should have left in BC (read through the BC API) for the leads of --leads (marketing-leads'
/// file): one person contact per lead email, under the customer its externalCompanyId names, and one customer per new
/// company name. Lost = a lead without its contact (or a new company without its customer); duplicates = more than one.
/// </summary>
internal static class ReverseVerification
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var leads = JsonSerializer.Deserialize<List<Dictionary<string, string?>>>(await File.ReadAllTextAsync(arguments.Required("--leads"), cancellationToken))!;
        using var admin = new AdminApi(sandbox);
        List<BcCustomer> customers;
        List<BcContact> persons;
        using (var bc = await admin.ConnectBusinessCentralAsync(cancellationToken))
        {
            customers = await AdminApi.ToListAsync(bc.GetCustomersAsync(new BcCustomerQuery(), cancellationToken), cancellationToken);
            persons = await AdminApi.ToListAsync(bc.GetContactsAsync(new BcContactQuery { PersonsOnly = true }, cancellationToken), cancellationToken);
        }
        var byEmail = persons.Where(p => EmailRules.Problem(p.Email) is null).GroupBy(p => EmailRules.Normalize(p.Email), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var byName = customers.GroupBy(c => c.DisplayName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        int lost = 0, duplicates = 0, misplaced = 0;
        foreach (var lead in leads)
        {
            var found = byEmail.GetValueOrDefault(EmailRules.Normalize(lead["email"]!)) ?? [];
            if (found.Count == 0) lost++;
            duplicates += Math.Max(0, found.Count - 1);
            var expected = lead.GetValueOrDefault("externalCompanyId");
            if (found.Count == 1 && expected is not null && !string.Equals(found[0].CustomerNumber, expected, StringComparison.OrdinalIgnoreCase)) misplaced++;
        }
        var newCompanies = leads.Where(l => l.GetValueOrDefault("externalCompanyId") is null).Select(l => l["company"]!).Distinct(StringComparer.Ordinal).ToList();
        lost += newCompanies.Count(n => !byName.ContainsKey(n));
        duplicates += newCompanies.Sum(n => Math.Max(0, byName.GetValueOrDefault(n) - 1));
        return new Dictionary<string, object?>
        {
            ["mode"] = "verify-reverse", ["leads"] = leads.Count, ["newCompanies"] = newCompanies.Count,
            ["lost"] = lost, ["duplicates"] = duplicates, ["misplaced"] = misplaced,
        };
    }
}
