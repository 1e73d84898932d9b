using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Which contact a lead's email belongs to, following BC as it is now. The state records who last wrote the lead; when
/// that contact no longer holds the address (its email changed, or it was deleted) the address passes to the contact
/// that holds it now and the lead is updated. When two current contacts hold one address (a true duplicate) the lead is
/// the one whose contact number sorts first (ordinal), whoever wrote it before — the rule docs/mapping.md states.
/// </summary>
internal sealed class EmailOwners
{
    // Keyed on a 64-bit hash of the normalised email, the contact number packed: a large first load holds hundreds of thousands.
    private readonly ShardedDictionary<ulong, Owner> _claimed = new();
    private readonly PackedText _numbers = new();

    /// <summary>The contact whose record is the lead.</summary>
    public sealed record Claimed(string Winner);

    /// <summary>The key an address is compared by; null when it cannot be a lead key (so it holds no lead).</summary>
    public static ulong? Key(string? email) => email is not null && EmailRules.Problem(email) is null ? Hash(EmailRules.Normalize(email)) : null;

    /// <summary>The contact that claimed <paramref name="email"/> in this run, if any.</summary>
    public string? OwnerInRun(string email) => _claimed.TryGetValue(Hash(EmailRules.Normalize(email)), out var owner) ? Number(owner) : null;

    /// <summary>
    /// Claims the lead of <paramref name="record"/> for its contact, or names the contact that keeps it. Null when the
    /// state's recorded owner is another contact absent from <paramref name="holds"/> (contact number → the key of
    /// the email it holds now): only BC can say whether that one still holds the address.
    /// </summary>
    public Claimed? Claim(MarketoRecord record, RecordState? state, IReadOnlyDictionary<string, ulong?> holds)
    {
        var email = Hash(EmailRules.Normalize(record.Key));
        var contact = record.SourceNumber;
        if (_claimed.TryGetValue(email, out var owner))
        {
            // Both hold the address now (both were read in this run).
            var claimedBy = Number(owner);
            var winner = claimedBy == contact ? contact : Lower(claimedBy, contact);
            if (winner != claimedBy) Keep(email, winner);
            return new Claimed(winner);
        }
        var recorded = state?.SourceNumber;
        if (recorded is not null && recorded != contact)
        {
            if (!holds.TryGetValue(recorded, out var held)) return null;
            if (held == email && Lower(recorded, contact) == recorded)
            {
                Keep(email, recorded);
                return new Claimed(recorded);
            }
        }
        Keep(email, contact);
        return new Claimed(contact);
    }

    private void Keep(ulong email, string contact)
    {
        Span<ushort> length = stackalloc ushort[1];
        var at = _numbers.Add([contact], length);
        _claimed[email] = new Owner(at, length[0]);
    }

    private string Number(Owner owner) => _numbers.Read(owner.At, 0, owner.Length);

    private readonly record struct Owner(int At, ushort Length);

    private static string Lower(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a : b;

    /// <summary>FNV-1a over the UTF-16 code units; a collision between two of a few hundred thousand emails is negligible.</summary>
    private static ulong Hash(string normalizedEmail)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in normalizedEmail)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
