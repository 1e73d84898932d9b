using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>Offline preview of the company mapping: one flat row per BC customer, its properties the Marketo field names.</summary>
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
        var record = Mapper.MapCustomer(customer);
        return Row(TypeName, customer.Number, Mapper.Mapping.Company.Fields, record.Fields);
    }
}
