using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// How the table store calls Table Storage: a failed call becomes a <see cref="StateStoreException"/> naming what was
/// being done, and a write that lost an optimistic-concurrency race (HTTP 412 on a stale ETag, 409 on an insert of a
/// row another writer just created, 404 on a row another writer just removed) is read again and retried.
/// </summary>
internal static class TableCalls
{
    private const int MaxAttempts = 100;
    private static long s_conflicts;

    /// <summary>Writes this process retried because another writer changed the row first (diagnostics).</summary>
    public static long Conflicts => Interlocked.Read(ref s_conflicts);

    public static void CountConflict() => Interlocked.Increment(ref s_conflicts);

    public static T Guard<T>(string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (RequestFailedException e)
        {
            throw Unavailable(what, e);
        }
    }

    public static void Guard(string what, Action call) => Guard(what, () =>
    {
        call();
        return 0;
    });

    /// <summary>
    /// Runs a read-modify-write until it commits: each attempt reads afresh and writes conditionally, so a writer that
    /// loses a race retries on what the winner wrote and neither update is lost. Gives up (reports) after many attempts.
    /// </summary>
    public static T Optimistic<T>(string what, Func<T> attempt)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return attempt();
            }
            catch (RequestFailedException e) when (IsConflict(e))
            {
                CountConflict();
                if (tries >= MaxAttempts)
                    throw new StateStoreException($"The state store could not {what}: another writer changed the same rows {tries} times in a row. Nothing was lost; run again.", e);
                Thread.Sleep(Random.Shared.Next(tries < 5 ? 5 : 20, tries < 5 ? 25 : 100));
            }
            catch (RequestFailedException e)
            {
                throw Unavailable(what, e);
            }
        }
    }

    public static void Optimistic(string what, Action attempt) => Optimistic(what, () =>
    {
        attempt();
        return 0;
    });

    /// <summary>
    /// A write that lost a race: the row changed (412), appeared (409) or went (404) since it was read. A 404 for the
    /// table itself is no race: retrying cannot bring the table back.
    /// </summary>
    public static bool IsConflict(RequestFailedException e) => e.Status is 409 or 412 || e.Status == 404 && e.ErrorCode != "TableNotFound";

    public static StateStoreException Unavailable(string what, RequestFailedException e)
    {
        var status = e.Status == 0 ? "no answer" : $"HTTP {e.Status}{(string.IsNullOrEmpty(e.ErrorCode) ? "" : " " + e.ErrorCode)}";
        var hint = e.Status switch
        {
            401 or 403 => " Check that the identity or key may read and write the account's tables (the role Storage Table Data Contributor, or a SAS with table permissions raud and, for the first run, c).",
            0 => " Check the endpoint and the network.",
            _ => "",
        };
        return new StateStoreException($"The table state store could not {what} ({status}): {FirstLine(e.Message)}{hint}", e);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
