using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Offline preview of the company mapping: one flat row per BC customer, its properties the Marketo field names, plus
/// SkipReason (CustomerBlocked) on customers that would not become a company.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "MlMarketoCompany")]
[OutputType(typeof(PSObject))]
public sealed class ConvertToMlMarketoCompanyCommand : MappingPreviewCmdlet
{
    public const string TypeName = "MlConnector.MarketoCompanyPreview";

    private protected override SourceKind Accepts => SourceKind.Customer;

    private protected override string OtherCmdlet => "ConvertTo-MlMarketoLead";

    private protected override PSObject Map(PSObject input)
    {
        var customer = SourceRecord<BcCustomer>.From(input);
        var skip = Mapper.SkipReason(customer);
        var row = Row(TypeName, customer.Number, Mapper.Mapping.Company.Fields, skip is null ? Mapper.MapCustomer(customer).Fields : null);
        // On every row, so Export-Csv (which takes its columns from the first row) always has the column.
        row.Properties.Add(new PSNoteProperty("SkipReason", skip));
        return row;
    }
}
