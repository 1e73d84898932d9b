using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Offline preview of the lead mapping: one flat row per BC contact, its properties the Marketo field names, plus
/// SkipReason (PrivacyBlocked, NoEmail, InvalidEmail, EmailTooLong, NotAPerson) on contacts that would not become a lead.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "MlMarketoLead")]
[OutputType(typeof(PSObject))]
public sealed class ConvertToMlMarketoLeadCommand : MappingPreviewCmdlet
{
    public const string TypeName = "MlConnector.MarketoLeadPreview";

    private protected override SourceKind Accepts => SourceKind.Contact;

    private protected override string OtherCmdlet => "ConvertTo-MlMarketoCompany";

    private protected override PSObject Map(PSObject input)
    {
        var contact = SourceRecord<BcContact>.From(input);
        // Offline there is no customer record to copy account attributes from: lead fields only.
        var lead = Mapper.MapContact(contact, customer: null, withAccountFields: false);
        var row = Row(TypeName, contact.Number, Mapper.Mapping.Lead.Fields, lead.Record?.Fields);
        // On every row, so Export-Csv (which takes its columns from the first row) always has the column.
        row.Properties.Add(new PSNoteProperty("SkipReason", lead.SkipReason));
        return row;
    }
}
