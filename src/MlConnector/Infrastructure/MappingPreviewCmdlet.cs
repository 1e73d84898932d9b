using System.Management.Automation;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Security;

namespace MlConnector.Infrastructure;

/// <summary>
/// What ConvertTo-MlMarketoCompany and ConvertTo-MlMarketoLead share: -InputObject and -MappingPath, refusing
/// input that must not cross to Marketo, and flat rows whose properties are the Marketo field names. No connection.
/// </summary>
public abstract class MappingPreviewCmdlet : PSCmdlet
{
    private BcToMarketoMapper? _mapper;

    /// <summary>The record to map: a BC object, or a row with its properties (Import-Csv of exported BC data).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>A .json or .psd1 mapping file applied on top of the default map.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>For Export-Csv to a spreadsheet: text starting with =, +, -, @, tab or CR gets a leading quote so it is not run as a formula.</summary>
    [Parameter]
    public SwitchParameter EscapeFormula { get; set; }

    private protected string ErrorIdPrefix => ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name);

    private protected BcToMarketoMapper Mapper => _mapper!;

    /// <summary>The kind of input this cmdlet maps, and the kind it refuses with a hint to the other cmdlet.</summary>
    private protected abstract SourceKind Accepts { get; }

    private protected abstract string OtherCmdlet { get; }

    protected override void BeginProcessing() => _mapper = new BcToMarketoMapper(MappingFile.Load(this, MappingPath, ErrorIdPrefix));

    protected override void ProcessRecord()
    {
        var (kind, reason) = SyncInput.Classify(InputObject);
        if (kind == SourceKind.Rejected)
        {
            WriteError(ErrorRecords.Create(new InvalidDataException(reason), ErrorIdPrefix + "NotPeopleOrAccount", ErrorCategory.InvalidData, InputObject,
                "Pipe Business Central customers or contacts (Get-BcCustomer, Get-BcContact), or CSV rows exported from them."));
            return;
        }
        var other = Accepts == SourceKind.Customer ? SourceKind.Contact : SourceKind.Customer;
        if (kind == other)
        {
            WriteError(ErrorRecords.Create(new InvalidDataException($"This is a Business Central {other.ToString().ToLowerInvariant()}: map it with {OtherCmdlet}."),
                ErrorIdPrefix + "WrongRecordType", ErrorCategory.InvalidType, InputObject, $"Pipe it to {OtherCmdlet}."));
            return;
        }
        var row = Map(InputObject);
        if (EscapeFormula) EscapeFormulas(row);
        WriteObject(row);
    }

    private static void EscapeFormulas(PSObject row)
    {
        foreach (var property in row.Properties)
            if (property.Value is string text && SpreadsheetCell.LooksLikeFormula(text)) property.Value = SpreadsheetCell.Escape(text);
    }

    private protected abstract PSObject Map(PSObject input);

    private protected static PSObject Row(string typeName, string sourceNumber, IReadOnlyList<FieldMapping> fields, IReadOnlyDictionary<string, object?>? values)
    {
        var row = new PSObject();
        row.TypeNames.Insert(0, typeName);
        row.Properties.Add(new PSNoteProperty("SourceNumber", sourceNumber));
        foreach (var field in fields)
        {
            object? value = null;
            values?.TryGetValue(field.Target, out value);
            row.Properties.Add(new PSNoteProperty(field.Target, value));
        }
        return row;
    }
}
