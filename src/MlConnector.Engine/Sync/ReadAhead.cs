using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MlConnector.Engine.Sync;

/// <summary>
/// Reads a source (a paged read of the other system, chunk by chunk) on a background task, at most <c>ahead</c> items
/// before the consumer, so the next chunk is being read while this one is planned and sent. The source must touch no
/// state: it runs beside the run's own flow. Waiting for the next item goes through <c>wait</c>, so the run's flow can
/// do other work (settle answered batches) while the read is behind.
/// </summary>
internal static class ReadAhead
{
    public static async IAsyncEnumerable<T> Of<T>(IAsyncEnumerable<T> source, int ahead, Func<Task<bool>, Task<bool>> wait,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(Math.Max(1, ahead)) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(stop.Token).ConfigureAwait(false))
                    await channel.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (await wait(channel.Reader.WaitToReadAsync(cancellationToken).AsTask()).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item)) yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
    }
}
