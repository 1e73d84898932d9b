using System.Management.Automation;

namespace MlConnector.Infrastructure;

/// <summary>What Get-MlParkedRecord and Invoke-MlReplay share: -Number, the BC numbers or patterns of the parked records to work on.</summary>
public abstract class ParkedRecordCmdlet : SyncCmdlet
{
    private readonly List<string> _patterns = new();

    /// <summary>BC numbers or patterns (* and ?, or SQL LIKE % and _); all parked records when none. Binds from a SourceNumber property.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SourceNumber")]
    [ValidateNotNullOrEmpty]
    public string[]? Number { get; set; }

    /// <summary>Every pattern given, by parameter or pipeline, each once.</summary>
    private protected string[] Patterns => _patterns.Distinct(StringComparer.Ordinal).ToArray();

    protected override void ProcessRecord()
    {
        if (Number is not null) _patterns.AddRange(Number.Select(ParkedQueues.ToPattern));
    }
}
