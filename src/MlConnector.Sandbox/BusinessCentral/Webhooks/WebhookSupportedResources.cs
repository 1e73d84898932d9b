using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>
/// GET {Environment}/api/microsoft/runtime/beta/companies({id})/webhookSupportedResources[?$filter=resource eq 'v2.0*']:
/// page 5460, a temporary table of "v2.0/{entitySet}" rows (shared/api/business-central.md §2, §5.7).
/// </summary>
internal static partial class WebhookSupportedResources
{
    private const string ApiVersion = "v2.0";

    /// <summary>The documented webhook-enabled API v2.0 entity sets (§5.7). contacts is not among them.</summary>
    public static readonly IReadOnlyList<string> Documented =
    [
        "accounts", "companyInformation", "countriesRegions", "currencies", "customerPaymentJournals", "customers", "dimensions", "employees",
        "generalLedgerEntries", "itemCategories", "items", "journals", "paymentMethods", "paymentTerms", "purchaseInvoices", "salesCreditMemos",
        "salesInvoices", "salesOrders", "salesQuotes", "shipmentMethods", "unitsOfMeasure", "vendors",
    ];

    /// <summary>The supported entity sets the sandbox also has data for (a subscription to another listed set is answered 501).</summary>
    public static readonly IReadOnlySet<string> Simulated = new HashSet<string>(StringComparer.Ordinal) { "customers", "contacts", "currencies" };

    public static IReadOnlyList<string> EntitySets(BcWebhookOptions options)
        => options.ContactsSupported ? Documented.Append("contacts").Order(StringComparer.Ordinal).ToArray() : Documented;

    public static BcResponse Execute(BcRequest request, IReadOnlySet<Guid> companyIds, BcWebhookOptions options)
    {
        try
        {
            var match = PathPattern().Match(request.Path);
            if (!match.Success) throw BcErrors.SegmentNotFound(request.Path.Split('/')[^1]);
            if (!Guid.TryParseExact(match.Groups["company"].Value, "D", out var company)) throw BcErrors.Syntax();
            if (!companyIds.Contains(company)) throw BcErrors.CompanyNotFound(match.Groups["company"].Value);
            if (request.Method != "GET") throw BcErrors.MethodNotAllowed(request.Method, "webhookSupportedResources");

            var resources = EntitySets(options).Select(set => ApiVersion + "/" + set);
            if (request.Query.TryGetValue("$filter", out var filter))
            {
                var pattern = Filter(filter);
                resources = resources.Where(r => pattern.IsMatch(r));
            }
            var rows = resources.ToArray();
            return BcResponse.Json(200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("@odata.context", $"{request.ApiRoot}$metadata#companies({company:D})/webhookSupportedResources");
                writer.WriteStartArray("value");
                foreach (var resource in rows)
                {
                    writer.WriteStartObject();
                    writer.WriteString("resource", resource);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }, rows.Length);
        }
        catch (BcException e)
        {
            return BcResponse.Error(e);
        }
    }

    /// <summary>resource eq 'pattern' where * matches any text, as BC's filter on the buffer's text field does.</summary>
    private static Regex Filter(string filter)
    {
        var match = FilterPattern().Match(filter);
        if (!match.Success) throw BcErrors.Syntax();
        var pattern = match.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
        return new Regex("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex(@"^companies\((?<company>[^()/]*)\)/webhookSupportedResources$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^\s*resource\s+eq\s+'(?<value>(?:[^']|'')*)'\s*$")]
    private static partial Regex FilterPattern();
}
