using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// After Business Central created customers for leads: the new customer numbers go back to Marketo — the company upsert
/// (externalCompanyId with the pair's prefix, and its name) and each lead's externalCompanyId, by lead id — so the next
/// run matches instead of creating again. The company's Marketo id becomes the customer's link. A write-back Marketo
/// refuses is a warning, not a failure: the customer exists, its id is derived from the company, and the next
/// BC → Marketo pass writes the same keys.
/// </summary>
internal sealed class MarketoWriteBack(SyncContext context, Mapping.MarketoToBcMapper mapper)
{
    public async Task WriteAsync(IReadOnlyList<CustomerPlan> created, IReadOnlyList<LeadPlan> plans, CancellationToken cancellationToken)
    {
        if (created.Count == 0) return;
        var problems = new List<string>();
        try
        {
            var companies = created.Select(c => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["externalCompanyId"] = mapper.CompanyKeyFor(c.Number!), ["company"] = c.DisplayName,
            }).ToArray();
            var answers = await context.Marketo.SyncCompaniesAsync(companies, MarketoSyncAction.CreateOrUpdate, "dedupeFields", cancellationToken).ConfigureAwait(false);
            var now = context.Time.GetUtcNow();
            var links = new List<RecordLink>();
            for (var i = 0; i < created.Count; i++)
            {
                var answer = answers.FirstOrDefault(a => a.Seq == i);
                if (answer is { Succeeded: true, Id: { } id }) links.Add(new RecordLink(LinkKind.Customer, created[i].Number!, created[i].Id, id, mapper.CompanyKeyFor(created[i].Number!), now));
                else if (answer is null || !answer.HasReason(MarketoErrorCodes.CrmEnabled)) problems.Add($"company {created[i].Number}: {Describe(answer)}");
            }
            if (links.Count > 0) context.State.Links.Save(links);

            var leads = plans.Where(p => p.Customer is { Created: true }).ToList();
            var input = leads.Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["id"] = p.Lead.Id, ["externalCompanyId"] = mapper.CompanyKeyFor(p.Customer!.Number!),
            }).ToArray();
            var leadAnswers = await context.Marketo.SyncLeadsAsync(input, MarketoSyncAction.UpdateOnly, "id", cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < leads.Count; i++)
                if (leadAnswers.ElementAtOrDefault(i) is not { Succeeded: true } answer) problems.Add($"lead {leads[i].Lead.Id}: {Describe(leadAnswers.ElementAtOrDefault(i))}");
        }
        catch (MlConnectorException e)
        {
            problems.Add(e.Message);
        }
        if (problems.Count > 0)
            context.Log.Warning(EngineWarnings.WriteBackFailed,
                $"{problems.Count} new customer number(s) could not be written back to Marketo ({string.Join("; ", problems.Take(3))}{(problems.Count > 3 ? "; ..." : "")}). " +
                "The customers exist in Business Central; the next Business Central → Marketo pass writes their keys.");
    }

    private static string Describe(MarketoRecordResult? answer) => answer is null ? "no answer"
        : string.Join("; ", answer.Reasons.Select(r => r.Code + " " + r.Message)) is { Length: > 0 } why ? why : "status " + answer.Status;
}
