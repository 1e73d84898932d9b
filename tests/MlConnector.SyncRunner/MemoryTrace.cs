using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace MlConnector.SyncRunner;

/// <summary>
/// Opt-in memory diagnostics for finding where a run's working set goes: with MLCONNECTOR_MEMORY_TRACE_MS set to an
/// interval, one line per interval on stderr with the working set beside the GC's own figures (heap, committed,
/// fragmentation, each generation's size with the large and pinned object heaps) and the phase the run reported last.
/// </summary>
internal sealed class MemoryTrace : IDisposable
{
    private const string Variable = "MLCONNECTOR_MEMORY_TRACE_MS";
    private static readonly string[] Generations = ["g0", "g1", "g2", "loh", "poh"];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private volatile string _phase = "-";

    private readonly AllocationSampler _allocations = new();

    private MemoryTrace(TimeSpan interval) => _timer = new Timer(_ => Write(), null, interval, interval);

    /// <summary>A trace when the variable asks for one, otherwise null.</summary>
    public static MemoryTrace? FromEnvironment()
        => int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? new MemoryTrace(TimeSpan.FromMilliseconds(ms)) : null;

    public void Phase(string phase) => _phase = phase;

    public void Write()
    {
        using var self = Process.GetCurrentProcess();
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var sizes = info.GenerationInfo.ToArray().Select((g, i) => $"{Generations[i]}={Mb(g.SizeAfterBytes)}/{Mb(g.FragmentationAfterBytes)}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MEM t={_clock.Elapsed.TotalSeconds:0.0} ws={Mb(self.WorkingSet64)} private={Mb(self.PrivateMemorySize64)} heap={Mb(info.HeapSizeBytes)} " +
            $"committed={Mb(info.TotalCommittedBytes)} frag={Mb(info.FragmentedBytes)} total={Mb(GC.GetTotalMemory(false))} " +
            $"alloc={Mb(GC.GetTotalAllocatedBytes())} gcs={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
            $"{string.Join(' ', sizes)} {Rss()} phase={_phase}"));
    }

    /// <summary>Linux: the resident set split into anonymous memory (GC heap and native allocations) and mapped files.</summary>
    private static string Rss()
    {
        if (!File.Exists("/proc/self/status")) return "";
        var wanted = new[] { "RssAnon:", "RssFile:", "RssShmem:", "VmHWM:" };
        return string.Join(' ', File.ReadLines("/proc/self/status").Where(l => wanted.Any(w => l.StartsWith(w, StringComparison.Ordinal)))
            .Select(l => l.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries))
            .Select(p => $"{p[0]}={Mb(long.Parse(p[1], CultureInfo.InvariantCulture) * 1024)}"));
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _timer.Dispose();
        Write();
        WriteMappings();
        _allocations.Dispose();
        foreach (var ((kind, type), bytes) in _allocations.Totals.OrderByDescending(a => a.Value).Take(30))
            Console.Error.WriteLine($"ALLOC {Mb(bytes)} {kind} {type}");
    }

    /// <summary>The runtime's allocation ticks (one per ~100 KB allocated), summed by heap (small, large, pinned) and type.</summary>
    private sealed class AllocationSampler : EventListener
    {
        public ConcurrentDictionary<(string Kind, string Type), long> Totals { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null) return;
            var kind = e.PayloadNames!.IndexOf("AllocationKind") is var k and >= 0 ? Convert.ToInt32(e.Payload[k], CultureInfo.InvariantCulture) switch { 0 => "soh", 1 => "loh", _ => "poh" } : "?";
            var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 0;
            Totals.AddOrUpdate((kind, type), amount, (_, sum) => sum + amount);
        }
    }

    /// <summary>Linux: the mappings holding the most resident memory, by file (anonymous ones together).</summary>
    private static void WriteMappings()
    {
        if (!File.Exists("/proc/self/smaps")) return;
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        var name = "";
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-', StringComparison.Ordinal) && !parts[0].EndsWith(':')) name = parts.Length >= 6 ? parts[5] : "[anon]";
            else if (parts.Length >= 2 && parts[0] == "Rss:") byName[name] = byName.GetValueOrDefault(name) + long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
        }
        foreach (var (file, bytes) in byName.OrderByDescending(m => m.Value).Take(25)) Console.Error.WriteLine($"MAP {Mb(bytes)} {file}");
    }
}
