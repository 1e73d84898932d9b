namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>The customer's flow fields as of a work date (page 30048 semantics).</summary>
public sealed record BcFinancials(decimal Balance, decimal TotalSalesExcludingTax, decimal OverdueAmount);

/// <summary>
/// Ledger postings. Like BC, they change the customer's flow fields (balance, sales, overdue) but not the Customer row,
/// so neither lastModifiedDateTime nor the etag moves (shared/api/business-central.md §3.3).
/// </summary>
internal static class BcPosting
{
    public static BcFinancials Financials(BcCustomer customer, DateOnly workDate)
    {
        var ledger = customer.Ledger;
        var balance = ledger.OpeningBalance;
        var sales = ledger.OpeningSales;
        var overdue = ledger.OpeningOverdue;
        var yesterday = workDate.AddDays(-1);
        foreach (var entry in ledger.Entries ?? (IEnumerable<BcLedgerEntry>)Array.Empty<BcLedgerEntry>())
        {
            balance += entry.RemainingLcy;
            if (entry.PostingDate <= yesterday) sales += entry.SalesLcy;
            if (entry.RemainingLcy > 0 && entry.DueDate <= yesterday) overdue += entry.RemainingLcy;
        }
        return new BcFinancials(balance, sales, overdue);
    }

    public static void PostInvoice(BcDataStore store, BcCustomer customer, decimal amountExcludingTax, decimal taxAmount, DateOnly postingDate, DateOnly dueDate)
    {
        var rate = store.ExchangeRateOf(customer);
        var entry = new BcLedgerEntry(postingDate, dueDate, Math.Round((amountExcludingTax + taxAmount) * rate, 2), Math.Round(amountExcludingTax * rate, 2));
        store.Modify(customer, c => (c.Ledger.Entries ??= new List<BcLedgerEntry>()).Add(entry), stamp: false);
    }

    /// <summary>Applies a payment to the oldest open invoices first, then to the opening balance (a surplus becomes a credit).</summary>
    public static void PostPayment(BcDataStore store, BcCustomer customer, decimal amount)
    {
        var lcy = Math.Round(amount * store.ExchangeRateOf(customer), 2);
        store.Modify(customer, c =>
        {
            var left = lcy;
            foreach (var entry in (c.Ledger.Entries ?? new List<BcLedgerEntry>()).Where(e => e.RemainingLcy > 0).OrderBy(e => e.DueDate))
            {
                var applied = Math.Min(left, entry.RemainingLcy);
                entry.RemainingLcy -= applied;
                left -= applied;
                if (left == 0) return;
            }
            var fromOverdue = Math.Min(left, Math.Max(0, c.Ledger.OpeningOverdue));
            c.Ledger.OpeningOverdue -= fromOverdue;
            c.Ledger.OpeningBalance -= left;
        }, stamp: false);
    }
}
