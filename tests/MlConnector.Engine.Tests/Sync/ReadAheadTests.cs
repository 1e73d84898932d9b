using System.Runtime.CompilerServices;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The read ahead of the consumer on its own: how far ahead it reads, that a failed read reaches the consumer, and that a
/// consumer that stops early stops the read too. A broken read ahead hangs rather than fails, so each test is bounded.
/// </summary>
public sealed class ReadAheadTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static Task<bool> AtOnce(Task<bool> next) => next;

    [Fact]
    public async Task It_reads_as_many_items_ahead_as_asked_while_the_consumer_waits_and_hands_them_on_in_order()
    {
        var fourthAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumerFree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<int> Source([EnumeratorCancellation] CancellationToken cancel = default)
        {
            for (var i = 1; i <= 3; i++) yield return i;
            fourthAsked.SetResult();
            await Task.Delay(Timeout.Infinite, cancel);
        }
        async Task<bool> Busy(Task<bool> next)
        {
            await consumerFree.Task;
            return await next;
        }

        var items = ReadAhead.Of(Source(), ahead: 3, Busy, CancellationToken.None).GetAsyncEnumerator();
        var read = new List<int>();
        try
        {
            var first = items.MoveNextAsync().AsTask();
            await fourthAsked.Task.WaitAsync(HangGuard);
            consumerFree.SetResult();

            if (await first.WaitAsync(HangGuard)) read.Add(items.Current);
            while (read.Count < 3 && await items.MoveNextAsync()) read.Add(items.Current);
        }
        finally
        {
            await items.DisposeAsync().AsTask().WaitAsync(HangGuard);
        }
        Assert.Equal([1, 2, 3], read);
    }

    [Fact]
    public async Task A_failed_read_reaches_the_consumer_after_the_items_read_before_it()
    {
        async IAsyncEnumerable<int> Source()
        {
            yield return 1;
            await Task.Yield();
            throw new InvalidOperationException("page 2 failed");
        }
        var read = new List<int>();

        async Task ConsumeAsync()
        {
            await foreach (var item in ReadAhead.Of(Source(), ahead: 2, AtOnce, CancellationToken.None)) read.Add(item);
        }

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => ConsumeAsync().WaitAsync(HangGuard));
        Assert.Equal("page 2 failed", failed.Message);
        Assert.Equal([1], read);
    }

    [Fact]
    public async Task A_consumer_that_stops_early_stops_the_read_and_finds_it_ended()
    {
        var sourceEnded = false;
        async IAsyncEnumerable<int> Endless()
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    await Task.Yield();
                    yield return i;
                }
            }
            finally
            {
                sourceEnded = true;
            }
        }

        async Task<int> FirstAsync()
        {
            await foreach (var item in ReadAhead.Of(Endless(), ahead: 1, AtOnce, CancellationToken.None)) return item;
            return -1;
        }

        Assert.Equal(0, await FirstAsync().WaitAsync(HangGuard));
        Assert.True(sourceEnded);
    }

    // The read's own clean-up (a page request being given up) must be over before the consumer's flow goes on to
    // settle and close what that read used. Nothing can end the enumeration before the gate opens, so the window below
    // only bounds how long the test looks for a wrong early end.
    [Fact]
    public async Task A_consumer_that_stops_early_goes_on_only_once_the_read_has_finished_stopping()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readStopped = false;
        async IAsyncEnumerable<int> Source([EnumeratorCancellation] CancellationToken cancel = default)
        {
            try
            {
                yield return 1;
                await Task.Delay(Timeout.Infinite, cancel);
            }
            finally
            {
                stopping.SetResult();
                await gate.Task;
                readStopped = true;
            }
        }

        var consumer = Task.Run(async () =>
        {
            await foreach (var item in ReadAhead.Of(Source(), ahead: 1, AtOnce, CancellationToken.None)) break;
            return readStopped;
        });
        await stopping.Task.WaitAsync(HangGuard);

        Assert.NotSame(consumer, await Task.WhenAny(consumer, Task.Delay(TimeSpan.FromMilliseconds(200))));
        gate.SetResult();
        Assert.True(await consumer.WaitAsync(HangGuard));
    }
}
