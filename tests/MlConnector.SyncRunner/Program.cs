using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlConnector.SyncRunner;

// MlConnector.SyncRunner [sync|verify|contend|touch|marketing-leads|reverse|verify-reverse] --sandbox-json <file|-> ...
//   sync    one CustomerToMarketoSync pass (incremental from the checkpoint; --refresh-financials for a financial refresh)
//           --state <db> --audit <folder> [--calls-per-20s 50] [--max-concurrency 5] [--bc-page-size 1000] [--daily-call-budget N]
//           [--rate-window-ms 20000] (a shorter rate window, for profiling the connector and the sandbox without the quota's pace)
//           [--bulk-import-threshold N] (leads by Bulk Lead Import when N or more are queued) [--bulk-poll-ms 10000]
//           [--lease-timeout S] (seconds to wait while another run holds the pair; MLCONNECTOR_LEASE_SECONDS sets the lease's length)
//           [--pause-at enqueued|settling [--pause-target Lead|Company] [--pause-nth N]] (crash tests: stop for good at that point, saying so on stdout)
//   verify  Marketo's state (admin API) against what BC holds: lost and duplicate companies/leads
//   contend one of two writers racing on one pair's state (ConcurrentWriterTests): --sqlite <db> | --table-connection <cs> --table-prefix <p>,
//           --pair <id> --writer <name> --rounds N --gate <file>
//   touch   modify --percent P of customers and of person contacts through BC's "modify in UI" admin endpoint [--seed S]
//   marketing-leads  create --count N qualified leads as marketing does [--matching-percent P] [--seed S] --out <file>
//   reverse one Marketo → BC pass (the change feed from --since) --state <db> --audit <folder> --since <ISO 8601>
//   verify-reverse   BC against the leads of --leads <file>: lost, duplicate and misplaced contacts and customers
// Prints one JSON line on stdout and exits 0; a failure prints its message on stderr and exits 1.
var stopwatch = Stopwatch.StartNew();
try
{
    var arguments = RunnerArguments.Parse(args);
    // Every mode but contend (which needs no sandbox) reads the sandbox's ready line.
    SandboxInfo Sandbox() => SandboxInfo.Parse(arguments.SandboxJson());
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    IReadOnlyDictionary<string, object?> summary = arguments.Mode switch
    {
        "contend" => await Contend.RunAsync(arguments, cancel.Token),
        "sync" => await SyncPass.RunAsync(Sandbox(), arguments, cancel.Token),
        "verify" => await Verification.RunAsync(Sandbox(), cancel.Token),
        "touch" => await Touch.RunAsync(Sandbox(), arguments, cancel.Token),
        "marketing-leads" => await MarketingLeads.RunAsync(Sandbox(), arguments, cancel.Token),
        "reverse" => await ReversePass.RunAsync(Sandbox(), arguments, cancel.Token),
        "verify-reverse" => await ReverseVerification.RunAsync(Sandbox(), arguments, cancel.Token),
        _ => throw new ArgumentException($"Unknown mode '{arguments.Mode}'."),
    };
    var line = new Dictionary<string, object?>(summary)
    {
        ["wallSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
        ["cpuSeconds"] = Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, 2),
        ["peakWorkingSetMb"] = Math.Round(PeakMemory.Megabytes(), 1),
        ["gcCommittedMb"] = Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, 1),
        ["gcHeapMb"] = Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1),
        ["allocatedMb"] = Math.Round(GC.GetTotalAllocatedBytes() / 1048576.0, 1),
        ["gcCount"] = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}",
    };
    Console.Out.WriteLine(JsonSerializer.Serialize(line));
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine(e.ToString());
    return 1;
}

namespace MlConnector.SyncRunner
{
    internal static class PeakMemory
    {
        /// <summary>The process's peak working set; on Linux VmHWM from /proc/self/status when the runtime reports 0.</summary>
        public static double Megabytes()
        {
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            var bytes = self.PeakWorkingSet64;
            if (bytes == 0 && File.Exists("/proc/self/status"))
            {
                var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
                if (long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) bytes = value * 1024;
            }
            return bytes / (1024.0 * 1024.0);
        }
    }
}
