using System.Globalization;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;

namespace MlConnector.SyncRunner;

/// <summary>
/// Changes --percent of the customers (phone number → the company's mainPhone) and of the person contacts whose
/// email is usable and theirs alone (job title → the lead's title) through BC's "modify in UI" admin endpoints,
/// so each change must become exactly one company or lead write.
/// </summary>
internal static class Touch
{
    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(SandboxInfo sandbox, RunnerArguments arguments, CancellationToken cancellationToken)
    {
        var percent = arguments.Double("--percent", 1);
        var random = new Random(arguments.Int("--seed", 7));
        using var admin = new AdminApi(sandbox);
        List<BcCustomer> customers;
        List<BcContact> contacts;
        using (var bc = await admin.ConnectBusinessCentralAsync(cancellationToken))
        {
            customers = await AdminApi.ToListAsync(bc.GetCustomersAsync(new BcCustomerQuery(), cancellationToken), cancellationToken);
            contacts = await AdminApi.ToListAsync(bc.GetContactsAsync(new BcContactQuery { PersonsOnly = true }, cancellationToken), cancellationToken);
        }
        var persons = contacts.Where(c => string.Equals(c.Type, "Person", StringComparison.OrdinalIgnoreCase) && EmailRules.Problem(c.Email) is null).ToList();
        var unique = persons.GroupBy(c => EmailRules.Normalize(c.Email!), StringComparer.Ordinal).Where(g => g.Count() == 1).Select(g => g.Single()).ToList();

        var pickedCustomers = Pick(customers.OrderBy(c => c.Number, StringComparer.Ordinal).ToList(), percent, random);
        var pickedContacts = Pick(unique.OrderBy(c => c.Number, StringComparer.Ordinal).ToList(), percent, random);
        var stamp = DateTime.UtcNow.Ticks % 100000;
        for (var i = 0; i < pickedCustomers.Count; i++)
            await admin.PostAsync($"bc/customers/{pickedCustomers[i].Id:D}/modify",
                new Dictionary<string, object> { ["phoneNumber"] = string.Create(CultureInfo.InvariantCulture, $"+1 555 {stamp:00000}{i:0000}") }, cancellationToken);
        for (var i = 0; i < pickedContacts.Count; i++)
            await admin.PostAsync($"bc/contacts/{pickedContacts[i].Id:D}/modify",
                new Dictionary<string, object> { ["jobTitle"] = string.Create(CultureInfo.InvariantCulture, $"Bench {stamp:00000}-{i}") }, cancellationToken);

        return new Dictionary<string, object?>
        {
            ["mode"] = "touch",
            ["customers"] = customers.Count,
            ["contacts"] = contacts.Count,
            ["changedCustomers"] = pickedCustomers.Count,
            ["changedContacts"] = pickedContacts.Count,
        };
    }

    private static List<T> Pick<T>(List<T> items, double percent, Random random)
    {
        var count = (int)Math.Ceiling(items.Count * percent / 100.0);
        return items.OrderBy(_ => random.Next()).Take(count).ToList();
    }
}
