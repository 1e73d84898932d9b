using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>One company of the environment: its tables and the API resources over them.</summary>
internal sealed record BcCompanyService(BcDataStore Store, BcShapes Shapes, BcResources Resources);

/// <summary>
/// Sends an API request to the company it names — companies({id})/..., ?company= or the Company header (name or id).
/// A request naming no company of the environment goes to the first, whose resources answer it as BC does.
/// </summary>
internal sealed partial class BcCompanyRouter(IReadOnlyList<BcCompanyService> companies)
{
    public BcResponse Execute(BcRequest request) => For(request).Resources.Execute(request);

    /// <summary>The tables a request works on (a snapshot $batch rolls back there).</summary>
    public BcDataStore StoreFor(BcRequest request) => For(request).Store;

    /// <summary>Whether <paramref name="given"/> (from ?company= or the Company header) names the company: its name, display name or id.</summary>
    public static bool Names(BcCompany company, string given)
        => string.Equals(given, company.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(given, company.DisplayName, StringComparison.OrdinalIgnoreCase)
            || (Guid.TryParse(given, out var id) && id == company.Id);

    private BcCompanyService For(BcRequest request)
    {
        if (companies.Count == 1) return companies[0];
        var inPath = CompanySegment().Match(Uri.UnescapeDataString(request.Path));
        var given = inPath.Success ? inPath.Groups[1].Value : request.Query.GetValueOrDefault("company") ?? request.CompanyHeader;
        return given is null ? companies[0] : companies.FirstOrDefault(c => Names(c.Store.Company, given)) ?? companies[0];
    }

    [GeneratedRegex(@"^companies\(([^()]*)\)")]
    private static partial Regex CompanySegment();
}
