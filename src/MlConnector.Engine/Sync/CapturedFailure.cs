using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace MlConnector.Engine.Sync;

/// <summary>
/// Streams a source until it ends or fails, and keeps the failure instead of throwing it, so that the caller can hand on
/// what else it owes before rethrowing (an iterator cannot yield inside a catch).
/// </summary>
internal sealed class CapturedFailure
{
    /// <summary>The source's failure, once <see cref="UntilFailure{T}"/> has stopped on one.</summary>
    public ExceptionDispatchInfo? Failure { get; private set; }

    public async IAsyncEnumerable<T> UntilFailure<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception e)
            {
                Failure = ExceptionDispatchInfo.Capture(e);
                yield break;
            }
            yield return items.Current;
        }
    }
}
