namespace MlConnector.Engine.BusinessCentral;

public sealed partial class BusinessCentralClient
{
    /// <summary>
    /// The email each of the given contacts holds now (number → email, blank when none); a number BC does not have is
    /// absent. One light read per chunk of numbers ($select number, email): no customer links are resolved.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> GetContactEmailsAsync(IReadOnlyCollection<string> numbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var emails = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var filter in BcFilter.AnyOf("number", numbers.Select(BcNumberPattern.Normalize)))
        {
            var uri = Endpoints.Company("contacts", BcFilter.Query(filter, select: "number,email"));
            await foreach (var (number, email) in Reader.ReadAsync(uri, "contacts", e => (BcJson.Str(e, "number"), BcJson.Str(e, "email")), null, cancellationToken)
                .ConfigureAwait(false))
                emails[number] = email;
        }
        return emails;
    }
}
