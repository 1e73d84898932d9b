using System.Globalization;
using System.Text.Json;
using MlConnector.Engine.BusinessCentral;

namespace MlConnector.SyncRunner;

/// <summary>
/// Creates --count leads the way marketing does (the sandbox's admin route: the Marketo UI), every one qualified (a
/// company and a valid email): --matching-percent of them name an existing BC customer in externalCompanyId, the rest
/// belong to new companies of one to three leads each. Writes the leads to --out (for verify-reverse).
/// </summary>
internal static class MarketingLeads
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var count = arguments.Int("--count", 1000);
        var matchingPercent = arguments.Double("--matching-percent", 30);
        var random = new Random(arguments.Int("--seed", 7));
        using var admin = new AdminApi(sandbox);
        List<string> numbers;
        using (var bc = await admin.ConnectBusinessCentralAsync(cancellationToken))
            numbers = (await AdminApi.ToListAsync(bc.GetCustomersAsync(new BcCustomerQuery(), cancellationToken), cancellationToken)).Select(c => c.Number).ToList();

        var matching = (int)Math.Round(count * matchingPercent / 100.0);
        var leads = new List<Dictionary<string, string?>>(count);
        for (var i = 0; i < matching; i++)
            leads.Add(Lead(i, "Existing Customer Buyer", numbers[random.Next(numbers.Count)]));
        var companies = 0;
        while (leads.Count < count)
        {
            companies++;
            var company = string.Create(CultureInfo.InvariantCulture, $"Bench New Company {companies:D5}");
            for (var size = random.Next(1, 4); size > 0 && leads.Count < count; size--) leads.Add(Lead(leads.Count, company, null));
        }
        foreach (var chunk in leads.Chunk(200)) await admin.PostAsync("marketo/leads", new { leads = chunk }, cancellationToken);
        await File.WriteAllTextAsync(arguments.Required("--out"), JsonSerializer.Serialize(leads), cancellationToken);
        return new Dictionary<string, object?>
        {
            ["mode"] = "marketing-leads", ["leads"] = leads.Count, ["matchingExisting"] = matching, ["newCompanies"] = companies,
        };
    }

    private static Dictionary<string, string?> Lead(int i, string company, string? externalCompanyId)
    {
        var lead = new Dictionary<string, string?>
        {
            ["email"] = string.Create(CultureInfo.InvariantCulture, $"bench.lead.{i:D5}@reverse-bench.example"),
            ["firstName"] = "Bench", ["lastName"] = string.Create(CultureInfo.InvariantCulture, $"Lead{i:D5}"),
            ["company"] = company, ["city"] = "Chicago", ["phone"] = string.Create(CultureInfo.InvariantCulture, $"+1 312 555 {i % 10000:D4}"),
        };
        if (externalCompanyId is not null) lead["externalCompanyId"] = externalCompanyId;
        return lead;
    }
}
